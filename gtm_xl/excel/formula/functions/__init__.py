"""Excel's built-in functions, one module per Excel category, and THE table of them
(:data:`~gtm_xl.excel.formula.functions.registry.BUILTINS`)."""
