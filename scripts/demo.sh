#!/usr/bin/env bash
# One command: set up (scripts/setup.sh) and run the main job on the bundled example data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gtm-xl demo "$@"
