"""gtm-xl: go-to-market planning for Excel users.

The math (``metrics``, ``funnel``, ``scoring``, ``allocation``, ``compensation``) is plain
numpy, vectorised and typed; ``catalogue`` lists the ``GTM_*`` Excel functions built on it.
"""

__version__ = "0.1.0"
