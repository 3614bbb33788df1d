"""Where the project and the shared corpus are, for tests at any depth of ``tests/``."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GTM_XL_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
