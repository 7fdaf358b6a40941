# shellcheck shell=bash
# Source this file (after tools/setup.sh ran once) to get the workspace environment:
#   source tools/env.sh
# It activates $REPO/.venv, points ament/cmake at it, and sources the audio_common_msgs underlay
# (when built) and the colcon install/ of this repository (when built).
_degram_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEGRAM_REPO="$_degram_repo"
if [ -f "$_degram_repo/.venv/bin/activate" ]; then
  # shellcheck disable=SC1091
  source "$_degram_repo/.venv/bin/activate"
  case ":${AMENT_PREFIX_PATH:-}:" in *":$VIRTUAL_ENV:"*) ;; *)
    export AMENT_PREFIX_PATH="$VIRTUAL_ENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}";; esac
  case ":${CMAKE_PREFIX_PATH:-}:" in *":$VIRTUAL_ENV:"*) ;; *)
    export CMAKE_PREFIX_PATH="$VIRTUAL_ENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}";; esac
fi
# colcon's setup scripts read unset variables: never source them under `set -u`
_degram_nounset=0; case $- in *u*) _degram_nounset=1; set +u;; esac
# shellcheck disable=SC1091
[ -f "$_degram_repo/.ws/underlay/local_setup.bash" ] && source "$_degram_repo/.ws/underlay/local_setup.bash"
# shellcheck disable=SC1091
[ -f "$_degram_repo/install/local_setup.bash" ] && source "$_degram_repo/install/local_setup.bash"
[ "$_degram_nounset" = 1 ] && set -u
unset _degram_repo _degram_nounset
export RMW_IMPLEMENTATION="${RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}"
