#!/usr/bin/env bash
# The project's test command (README "Tests", .ci/run): set up the workspace, then pytest
# (test_lint.py runs ruff): the whole suite with the default ROS 2 wheels (kilted), then the ROS
# tests (degram_ros/test) again with Jazzy's rclpy and messages. Extra arguments go to pytest,
# e.g. bash tools/test.sh -k streaming. DEGRAM_TEST_DISTROS="kilted" skips the Jazzy pass.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
for distro in ${DEGRAM_TEST_DISTROS:-kilted jazzy}; do
  if [ "$distro" = kilted ]; then
    suites=("$REPO/degram/test" "$REPO/degram_ros/test")
  else
    suites=("$REPO/degram_ros/test")   # the library does not depend on the ROS distribution
  fi
  echo "== tests with ROS 2 $distro: ${suites[*]#"$REPO"/}"
  (
    export DEGRAM_ROS_DISTRO="$distro"
    bash "$REPO/tools/setup.sh"
    # shellcheck disable=SC1091
    source "$REPO/tools/env.sh"
    python -m pytest -p no:cacheprovider "${suites[@]}" "$@"
  )
done
