#!/usr/bin/env bash
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
# The shipped speaker_embedding model in one command: the speaker_embedding recipe (40 epochs, trunk
# from the closed-set speaker_id model), then 30 epochs more with speed perturbation (x0.9 and x1.1,
# each speed a speaker of its own: 588 training voices from 196 speakers), from its end with the
# embedding layer kept (lr 5e-4, 2 warm-up epochs, the rest unchanged). Both stages resume after an
# interruption.
#   bash tools/train_speaker_embedding.sh [RUNS_FOLDER] [key=value ...]   (after source tools/env.sh)
# Then: bash tools/eval_speaker.sh RUNS_FOLDER/speaker_embedding_speed/best.pt out/speaker
set -euo pipefail
runs="${1:-$HOME/.cache/degram/runs}"; shift || true
speaker_id="${DEGRAM_SPEAKER_ID:-$runs/speaker_id/best.pt}"   # the trunk; `degram train --config speaker_id` makes it
[ -f "$speaker_id" ] || speaker_id=speaker_id                  # else the shipped model's weights
degram train --config speaker_embedding --resume output="$runs" progress=false \
  train.init_trunk_from="$speaker_id" "$@"
degram train --config speaker_embedding --resume name=speaker_embedding_speed output="$runs" progress=false \
  train.init_trunk_from="$runs/speaker_embedding/best.pt" train.max_epochs=30 train.lr=5.0e-4 \
  train.warmup_epochs=2 'data.speed_perturb=[0.9, 1.1]' "$@"
