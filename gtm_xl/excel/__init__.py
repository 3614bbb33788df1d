"""File machinery for .xlsx/.xlsm workbooks. Knows nothing of GTM: callers hand in function tables."""
