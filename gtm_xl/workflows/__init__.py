"""The headless jobs, built on :mod:`gtm_xl.excel` and :mod:`gtm_xl.templates`: refresh, distribute, roll-up."""
