"""Text sources of the GTM ribbon: ``customUI14.xml`` and ``GtmRibbon.bas`` (package data, so
``gtm-xl addin install`` can build the add-in from an installed gtm-xl)."""
