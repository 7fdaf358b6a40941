#!/usr/bin/env bash
# The speaker-recognition recipe: calibrate a speaker-embedding checkpoint on one half of the 40
# held-out development speakers and report on the other half, for the people a robot meets:
#   calibrate   voices:dev-a (the first 20 development speakers), AS-norm against a cohort of the
#               training speakers (voices: one embedding each, shipped in the file) → OUTDIR/calibrated.pt
#   evaluate    voices:dev-b (the last 20) clean, and at 10 dB SNR of ESC-50 fold-4 noise (rain, sea waves,
#               wind, engine, vacuum cleaner, helicopter, chainsaw, washing machine, airplane: training mixed
#               in folds 1-3 of some of these classes only), enrolment clean
#               voices:dev (all 40, which includes the calibration speakers), clean
#               voices:dev-b heard through a 7 kHz low-pass, the telephone band, a room (RT60 0.5 s) and
#               a random microphone EQ (degram eval --channel), and at 0 dB; enrolment clean
#   ablate      the same weights scored by raw cosine (no cohort) → OUTDIR/cosine/
#   compare     the same for the shipped closed-set speaker_id model (30 ASC training speakers) used as
#               an embedding extractor, calibrated the same way → OUTDIR/speaker_id/
#   cost        ms per 1 s window at batch 1 on one thread: silero-vad, the embedding model, sound_event
# and prints the Markdown table (also OUTDIR/report.md). Steps whose output exists are skipped, so an
# interrupted run resumes; VAD results and embeddings are kept in OUTDIR/cache.
# Usage: bash tools/eval_speaker.sh runs/speaker_embedding/best.pt out/speaker   (after source tools/env.sh)
set -euo pipefail
model="${1:?usage: tools/eval_speaker.sh CKPT OUTDIR}"; out="${2:?usage: tools/eval_speaker.sh CKPT OUTDIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
threads="${DEGRAM_THREADS:-1}"
mkdir -p "$out/speaker_id" "$out/cosine"
source_sha="$(sha256sum "$model" | cut -d' ' -f1)"
if [ -f "$out/source.sha256" ] && [ "$(cat "$out/source.sha256")" != "$source_sha" ]; then
  echo "tools/eval_speaker.sh: $out holds the results of another checkpoint; choose another OUTDIR" >&2
  exit 2
fi
echo "$source_sha" > "$out/source.sha256"
noise_files=()
for class in 10 11 16 44 36 40 41 35 47; do noise_files+=(--noise "esc50/audio/4-*-$class.ogg"); done
noise=(--snr 10 "${noise_files[@]}")
common=(--cache "$out/cache" --num-threads "$threads")

recipe() {   # recipe SOURCE_MODEL FOLDER [CALIBRATE OPTIONS...]
  local source="$1" folder="$2"; shift 2
  [ -f "$folder/calibrated.pt" ] || degram calibrate --speakers voices:dev-a --model "$source" \
    -o "$folder/calibrated.pt" "${common[@]}" "$@"
  [ -f "$folder/eval_dev-b.json" ] || degram eval --model "$folder/calibrated.pt" --speakers voices:dev-b \
    --output "$folder/eval_dev-b.json" "${common[@]}"
  [ -f "$folder/eval_dev-b_10dB.json" ] || degram eval --model "$folder/calibrated.pt" --speakers voices:dev-b \
    "${noise[@]}" --output "$folder/eval_dev-b_10dB.json" "${common[@]}"
  [ -f "$folder/eval_dev.json" ] || degram eval --model "$folder/calibrated.pt" --speakers voices:dev \
    --output "$folder/eval_dev.json" "${common[@]}"
  local name condition
  for name in lowpass7k:lowpass:7000 telephone:band:300-3400 room:room:0.5 eq:eq; do
    condition="${name#*:}"; name="${name%%:*}"
    [ -f "$folder/eval_dev-b_$name.json" ] || degram eval --model "$folder/calibrated.pt" --speakers voices:dev-b \
      --channel "$condition" --non-speech none --output "$folder/eval_dev-b_$name.json" "${common[@]}"
  done
  [ -f "$folder/eval_dev-b_0dB.json" ] || degram eval --model "$folder/calibrated.pt" --speakers voices:dev-b \
    --snr 0 "${noise_files[@]}" --non-speech none --output "$folder/eval_dev-b_0dB.json" "${common[@]}"
}

recipe "$model" "$out" --cohort voices
recipe "$model" "$out/cosine"
recipe speaker_id "$out/speaker_id"
python "$here/speaker_report.py" "$out" --model "$out/calibrated.pt"
