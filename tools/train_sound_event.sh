#!/usr/bin/env bash
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
# The shipped sound_event model in one command: 100 epochs of the sound_event recipe, then an
# 80-epoch cosine warm restart from its end (lr 5e-4, 2 warm-up epochs; the rest unchanged), 180
# epochs in all (issue 17: "150+ epochs for ESC-50"). Both stages resume after an interruption.
#   bash tools/train_sound_event.sh [RUNS_FOLDER] [key=value ...]   (after source tools/env.sh)
# Then: bash tools/eval_sound_event.sh RUNS_FOLDER/sound_event_restart/best.pt out/sound_event
set -euo pipefail
runs="${1:-$HOME/.cache/degram/runs}"; shift || true
degram train --config sound_event --resume output="$runs" progress=false "$@"
degram train --config sound_event --resume name=sound_event_restart output="$runs" progress=false \
  train.init_from="$runs/sound_event/best.pt" train.max_epochs=80 train.lr=5.0e-4 train.warmup_epochs=2 "$@"
