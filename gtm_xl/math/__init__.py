"""The GTM functions: numpy, no I/O, no Excel. Imports nothing of gtm_xl but :mod:`gtm_xl.errors`."""
