#!/usr/bin/env bash
# Quality and rate against fitting steps, from scratch, from a prior and from a predictor's
# prediction (issue 15, §3): one intra segment (the preset's segment length) per clip, the same
# lambda and seed, E steps (--epochs E, or --refine E after a prediction; the closing
# hard-rounding phase is E/10 steps either way). Prints CSV rows:
#   clip,start,epochs,bytes,bpp,psnr_yuv,encode_s
#   bench/prior-curves.sh PRIOR "EPOCHS..." CLIP...
# Env: PRESET (grid), THREADS (1), OUT (out/prior-curves), STARTS ("scratch prior", add
# "predict" with PREDICTOR=FILE.predictor; its prior: FILE.prior beside it, if there).
# E = 0 runs for "predict" only (the prediction coded as it is).
set -euo pipefail
cd "$(dirname "$0")/.."
prior=$1 epochs=$2
shift 2
PRESET=${PRESET:-grid} THREADS=${THREADS:-1} OUT=${OUT:-out/prior-curves}
STARTS=${STARTS:-scratch prior}
mkdir -p "$OUT"
seg=$(python3 -c "
import json,sys; print(json.load(open('configs/$PRESET.json'))['segment_frames'])")
echo "clip,start,epochs,bytes,bpp,psnr_yuv,encode_s"
for clip in "$@"; do
  name=$(basename "${clip%.*}")
  for e in $epochs; do
    for start in $STARTS; do
      r=$OUT/$name.$start.$e
      case $start in
        scratch) [ "$e" -gt 0 ] || continue; how=(--epochs "$e") ;;
        prior) [ "$e" -gt 0 ] || continue; how=(--epochs "$e" --prior "$prior") ;;
        predict)
          how=(--predictor "$PREDICTOR" --refine "$e")
          [ -f "${PREDICTOR%.predictor}.prior" ] && how+=(--prior "${PREDICTOR%.predictor}.prior")
          ;;
      esac
      build/nervc encode "$clip" -o "$r.nerv" --preset "$PRESET" --frames "$seg" \
        --threads "$THREADS" --report "$r.json" -q "${how[@]}"
      python3 - "$r.json" "$name" "$start" "$e" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]},{sys.argv[3]},{sys.argv[4]},{r['bytes']},{r['bpp']:.5f},"
      f"{r['metrics']['psnr_yuv']:.3f},{r['encode_seconds']:.1f}")
PY
    done
  done
done
