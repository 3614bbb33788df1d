"""Example data shipped with gtm-xl: ``regions_example.csv`` and ``industries_example.csv`` (the
regions and rows tables of ``gtm-xl distribute budget_by_tier``, see docs/readme/distribution.md)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
