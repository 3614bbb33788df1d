"""The workbook package: guarded reader, sheet reader, patcher of cached values, workbook.xml."""
