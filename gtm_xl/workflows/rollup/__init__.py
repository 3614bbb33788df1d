"""``gtm-xl rollup``: check returned regional copies, consolidate them, write the roll-up."""
