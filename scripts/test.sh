#!/usr/bin/env bash
# One command: set up (scripts/setup.sh), check the house rules (ruff lint and format, mypy), and run the whole
# test suite, LibreOffice checks included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy gtm_xl
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
