#!/usr/bin/env bash
# Demo without a microphone: set up the workspace, then play a clip into degram_node and print
# one line per window. Arguments go to the demo, e.g.
#   bash tools/demo.sh --clip my.wav --model /path/model.pt --rate 1.0
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$REPO/tools/setup.sh"
# shellcheck disable=SC1091
source "$REPO/tools/env.sh"
export ROS_AUTOMATIC_DISCOVERY_RANGE="${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}"
exec python -m degram_ros.demo "$@"
