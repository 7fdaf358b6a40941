# shellcheck shell=bash
# Source this file (after tools/setup.sh ran once) to get the workspace environment:
#   source tools/env.sh                          # the default ROS 2 wheels (kilted)
#   DEGRAM_ROS_DISTRO=jazzy source tools/env.sh  # Jazzy's (after DEGRAM_ROS_DISTRO=jazzy tools/setup.sh)
# It activates the virtual environment, points ament/cmake at it, and sources the audio_common_msgs
# underlay (when built) and the colcon install/ of this repository (when built), which puts the
# `degram` command on PATH.
_degram_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1091
DEGRAM_OWN_REPO="$_degram_repo" source "$_degram_repo/tools/own_env.sh"
export DEGRAM_REPO="$_degram_repo"
case "${DEGRAM_ROS_DISTRO:-kilted}" in
  jazzy) _degram_venv="$_degram_repo/.ws/jazzy/venv"; _degram_underlay="$_degram_repo/.ws/jazzy/underlay"
         _degram_install="$_degram_repo/.ws/jazzy/install" ;;
  *)     _degram_venv="$_degram_repo/.venv"; _degram_underlay="$_degram_repo/.ws/underlay"
         _degram_install="$_degram_repo/install" ;;
esac
if [ -f "$_degram_venv/bin/activate" ]; then
  # shellcheck disable=SC1091
  source "$_degram_venv/bin/activate"
  case ":${AMENT_PREFIX_PATH:-}:" in *":$VIRTUAL_ENV:"*) ;; *)
    export AMENT_PREFIX_PATH="$VIRTUAL_ENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}";; esac
  case ":${CMAKE_PREFIX_PATH:-}:" in *":$VIRTUAL_ENV:"*) ;; *)
    export CMAKE_PREFIX_PATH="$VIRTUAL_ENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}";; esac
fi
# colcon's setup scripts read unset variables: never source them under `set -u`
_degram_nounset=0; case $- in *u*) _degram_nounset=1; set +u;; esac
# shellcheck disable=SC1091
[ -f "$_degram_underlay/local_setup.bash" ] && source "$_degram_underlay/local_setup.bash"
# shellcheck disable=SC1091
[ -f "$_degram_install/local_setup.bash" ] && source "$_degram_install/local_setup.bash"
[ "$_degram_nounset" = 1 ] && set -u
unset _degram_repo _degram_nounset _degram_venv _degram_underlay _degram_install
export RMW_IMPLEMENTATION="${RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}"
