#!/usr/bin/env bash
# The project's test command (README "Tests", .ci/run): set up the workspace, then pytest (test_lint.py
# runs ruff). Extra arguments go to pytest, e.g. bash tools/test.sh -k streaming
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$REPO/tools/setup.sh"
# shellcheck disable=SC1091
source "$REPO/tools/env.sh"
cd "$REPO"
python -m pytest -p no:cacheprovider "$REPO/degram/test" "$REPO/degram_ros/test" "$@"
