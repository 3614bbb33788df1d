"""xlwings UDF modules of gtm-xl. ``xlwings.conf`` names ``udfs.gtm_functions``."""
