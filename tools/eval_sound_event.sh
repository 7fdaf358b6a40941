#!/usr/bin/env bash
# Calibrate a sound-event checkpoint, measure it at the window level (issue 10's targets) and through
# channel conditions (tools/channel_table.py), with
# out-of-set audio kept apart from training (configs/sound_event.yaml) and from each other:
#   calibration: speechocean762 SPEAKER5*-6*, ASC speakers 25-27, FSDD theo, pink noise
#   evaluation:  speechocean762 SPEAKER7*-9*, ASC speakers 28-30, FSDD yweweler, the running tap, silence
# Usage: bash tools/eval_sound_event.sh runs/sound_event/best.pt out/sound_event   (after source tools/env.sh)
set -euo pipefail
model="${1:?checkpoint}"; out="${2:?output folder}"
mkdir -p "$out"
degram calibrate --model "$model" --data esc50 -o "$out/calibrated.pt" --max-false-rate 0.02 \
  --negatives 'speechocean762/audio/SPEAKER[5-6]*/*.ogg' \
  --negatives 'arabic_speech_commands/audio/*/0000002[5-7]_*.flac' \
  --negatives 'fsdd/recordings/*_theo_*.wav' --negatives speech_commands_noise/pink_noise.flac
degram eval --model "$out/calibrated.pt" --data esc50 --windows --output "$out/eval.json" --no-plot \
  --out-of-set 'speech=speechocean762/audio/SPEAKER[7-9]*/*.ogg' \
  --out-of-set 'speech=arabic_speech_commands/audio/*/0000002[89]_*.flac' \
  --out-of-set 'speech=arabic_speech_commands/audio/*/00000030_*.flac' \
  --out-of-set 'speech=fsdd/recordings/*_yweweler_*.wav' \
  --out-of-set 'room_noise=speech_commands_noise/running_tap.flac'
# the robustness table: clip top-1 clean and through each channel condition, fold 4 in its two parts
python "$(dirname "${BASH_SOURCE[0]}")/channel_table.py" --model "$out/calibrated.pt" --data esc50 \
  --output "$out/channels.json"
