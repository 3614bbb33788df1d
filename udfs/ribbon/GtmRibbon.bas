Attribute VB_Name = "GtmRibbon"
' Callbacks of the GTM ribbon tab (customUI14.xml): one Sub per button.
' Each Sub runs one function of gtm_xl.ribbon through xlwings' RunPython. In this add-in
' xlwings works on the active workbook, so xw.Book.caller() in Python is the workbook the
' user is looking at. Python reports in the status bar or a message box; xlwings shows a
' Python error in a message box, and the actions leave the workbook unchanged on error.
Option Explicit

Private Function HasWorkbook() As Boolean
    HasWorkbook = Not (ActiveWorkbook Is Nothing)
    If Not HasWorkbook Then MsgBox "Open or create a workbook first.", vbInformation, "GTM"
End Function

Sub GtmRefresh(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.ribbon; gtm_xl.ribbon.refresh_active()"
End Sub

Sub GtmCheckInputs(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.ribbon; gtm_xl.ribbon.check_inputs()"
End Sub

Sub GtmInsertScoringMatrix(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.ribbon; gtm_xl.ribbon.insert_template('scoring_matrix')"
End Sub

Sub GtmInsertBudgetByTier(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.ribbon; gtm_xl.ribbon.insert_template('budget_by_tier')"
End Sub

Sub GtmInsertKpiScorecard(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.ribbon; gtm_xl.ribbon.insert_template('kpi_scorecard')"
End Sub

Sub GtmMakeRegionalCopies(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.ribbon; gtm_xl.ribbon.make_regional_copies()"
End Sub

Sub GtmRollUp(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.ribbon; gtm_xl.ribbon.rollup()"
End Sub

Sub GtmAbout(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import gtm_xl.ribbon; gtm_xl.ribbon.about()"
End Sub
