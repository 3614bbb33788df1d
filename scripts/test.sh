#!/usr/bin/env bash
# One command: set up (scripts/setup.sh) and run the whole test suite, LibreOffice checks included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
