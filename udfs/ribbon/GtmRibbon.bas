Attribute VB_Name = "GtmRibbon"
' Callbacks of the GTM ribbon tab (customUI14.xml): one Sub per button.
' Each Sub runs one function of gtm_xl.adapters.ribbon through xlwings' RunPython. In this add-in
' xlwings works on the active workbook, so xw.Book.caller() in Python is the workbook the
' user is looking at. Python reports in the status bar or a message box; xlwings shows a
' Python error in a message box, and the actions leave the workbook unchanged on error.
'
' xlwings' RunPython reads the active workbook (its worksheets, FullName and Name, and its
' settings) before it starts Python, so with no workbook open it would stop with error 91.
' The buttons that work on a workbook ask for one; About and Insert template do not need
' one: with none open they run on a new blank workbook, closed unsaved afterwards (RunPython
' waits for Python to finish).
Option Explicit

Private Function HasWorkbook() As Boolean
    HasWorkbook = Not (ActiveWorkbook Is Nothing)
    If Not HasWorkbook Then MsgBox "Open the GTM workbook to work on first.", vbInformation, "GTM"
End Function

Private Sub RunWithoutWorkbook(pythonCommand As String)
    Dim scratch As Workbook
    If ActiveWorkbook Is Nothing Then Set scratch = Workbooks.Add
    RunPython pythonCommand
    If Not scratch Is Nothing Then scratch.Close SaveChanges:=False
End Sub

Private Function PyStr(text As String) As String
    ' text as a Python string literal: backslashes and single quotes escaped
    PyStr = "'" & Replace(Replace(text, "\", "\\"), "'", "\'") & "'"
End Function

Sub GtmRefresh(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.adapters.ribbon; gtm_xl.adapters.ribbon.refresh_active()"
End Sub

Sub GtmCheckInputs(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.adapters.ribbon; gtm_xl.adapters.ribbon.check_inputs()"
End Sub

Sub GtmInsertScoringMatrix(control As IRibbonControl)
    RunWithoutWorkbook "import gtm_xl.adapters.ribbon; gtm_xl.adapters.ribbon.insert_template('scoring_matrix')"
End Sub

Sub GtmInsertBudgetByTier(control As IRibbonControl)
    RunWithoutWorkbook "import gtm_xl.adapters.ribbon; gtm_xl.adapters.ribbon.insert_template('budget_by_tier')"
End Sub

Sub GtmInsertKpiScorecard(control As IRibbonControl)
    RunWithoutWorkbook "import gtm_xl.adapters.ribbon; gtm_xl.adapters.ribbon.insert_template('kpi_scorecard')"
End Sub

Sub GtmMakeRegionalCopies(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.adapters.ribbon; gtm_xl.adapters.ribbon.make_regional_copies()"
End Sub

Sub GtmRollUp(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.adapters.ribbon; gtm_xl.adapters.ribbon.rollup()"
End Sub

Sub GtmAbout(control As IRibbonControl)
    ' ThisWorkbook is the add-in itself; XLWINGS_VERSION is the constant of its xlwings module
    RunWithoutWorkbook "import gtm_xl.adapters.ribbon; gtm_xl.adapters.ribbon.about(" & PyStr(ThisWorkbook.FullName) & ", " & PyStr(XLWINGS_VERSION) & ")"
End Sub
