# shellcheck shell=bash
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
# Sourced by tools/setup.sh and tools/env.sh: a shell that sourced *another* checkout's
# tools/env.sh (DEGRAM_REPO names it) carries that checkout's venv, message underlay and install in
# its paths, so its packages would look installed here and this checkout would skip building its
# own. Drop every path entry inside that checkout; entries elsewhere (a system ROS under /opt/ros,
# a user's own workspace) stay as they are.
#   DEGRAM_OWN_REPO=/path/to/this/checkout source tools/own_env.sh
if [ -n "${DEGRAM_REPO:-}" ] && [ -n "${DEGRAM_OWN_REPO:-}" ] && [ "$DEGRAM_REPO" != "$DEGRAM_OWN_REPO" ]; then
  printf '[degram] this shell had sourced another checkout (%s): its paths are dropped here\n' "$DEGRAM_REPO" >&2
  for _degram_var in PATH PYTHONPATH AMENT_PREFIX_PATH CMAKE_PREFIX_PATH COLCON_PREFIX_PATH LD_LIBRARY_PATH; do
    _degram_kept=""
    IFS=: read -r -a _degram_entries <<< "${!_degram_var:-}"
    for _degram_entry in "${_degram_entries[@]}"; do
      case "$_degram_entry" in "$DEGRAM_REPO" | "$DEGRAM_REPO"/*) ;;
        *) _degram_kept="${_degram_kept:+$_degram_kept:}$_degram_entry" ;; esac
    done
    if [ -n "$_degram_kept" ]; then export "$_degram_var=$_degram_kept"; else unset "$_degram_var"; fi
  done
  case "${VIRTUAL_ENV:-}" in "$DEGRAM_REPO"/*) unset VIRTUAL_ENV ;; esac
  export DEGRAM_REPO="$DEGRAM_OWN_REPO"
  unset _degram_var _degram_kept _degram_entries _degram_entry
fi
