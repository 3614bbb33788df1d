"""Excel's worksheet functions, one registry."""
