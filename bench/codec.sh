#!/usr/bin/env bash
# Encode -> decode -> metrics on every clip of shared/media/video at one preset; prints a
# markdown table (and writes CSV and the JSON reports) for docs/BENCHMARKS.md.
#   bench/codec.sh [PRESET] [FRAMES] [SEGMENT_FRAMES] [EPOCHS]   defaults: xs 8 4 (preset's)
# Env: MEDIA (default ../shared/media/video), OUT (default out/bench-codec), THREADS (0 = all).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-xs} FRAMES=${2:-8} SEG=${3:-4} EPOCHS=${4:-}
MEDIA=${MEDIA:-../shared/media/video}
OUT=${OUT:-out/bench-codec}
THREADS=${THREADS:-0}
N=build/nervc
[ -x $N ] || bash scripts/build.sh
mkdir -p "$OUT"
csv=$OUT/results.csv
echo "clip,width,height,frames,bytes,bpp,kbps,psnr_yuv,psnr_y,psnr_rgb,ssim_kind,ssim,encode_s,decode_s" > "$csv"
for clip in "$MEDIA"/y4m/*.y4m "$MEDIA"/orig/*; do
  name=$(basename "${clip%.*}")
  echo "== $name" >&2
  $N encode "$clip" -o "$OUT/$name.nerv" --preset "$PRESET" --frames "$FRAMES" \
    --segment-frames "$SEG" ${EPOCHS:+--epochs "$EPOCHS"} --threads "$THREADS" \
    --report "$OUT/$name.encode.json" -q
  t0=$(date +%s.%N)
  $N decode "$OUT/$name.nerv" -o "$OUT/$name.y4m" --threads "$THREADS" -q
  t1=$(date +%s.%N)
  $N metrics "$clip" "$OUT/$name.y4m" --frames "$FRAMES" --json > "$OUT/$name.metrics.json"
  python3 - "$OUT/$name.encode.json" "$OUT/$name.metrics.json" "$t0" "$t1" "$name" >> "$csv" <<'PY'
import json, sys
enc, met = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a, kind = met["average"], met["ssim_kind"]
# The decoder's output, scored independently, must be what the encoder reported.
assert abs(a["psnr_yuv"] - enc["metrics"]["psnr_yuv"]) < 1e-9, (a, enc["metrics"])
ssim = a.get("msssim", a.get("ssim"))
print(",".join(str(x) for x in [sys.argv[5], enc["width"], enc["height"], enc["frames"],
      enc["bytes"], f'{enc["bpp"]:.4f}', f'{enc["kbps"]:.1f}', f'{a["psnr_yuv"]:.2f}',
      f'{a["psnr_y"]:.2f}', f'{a["psnr_rgb"]:.2f}', kind, f'{ssim:.4f}',
      f'{enc["encode_seconds"]:.1f}', f'{float(sys.argv[4]) - float(sys.argv[3]):.2f}']))
PY
  rm -f "$OUT/$name.y4m"
done
python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| clip | size | frames | bytes | bpp | kbps | YUV-PSNR | Y-PSNR | RGB-PSNR | (MS-)SSIM | encode s | decode s |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f'| {r["clip"]} | {r["width"]}x{r["height"]} | {r["frames"]} | {r["bytes"]} | {r["bpp"]} | {r["kbps"]} | '
          f'{r["psnr_yuv"]} | {r["psnr_y"]} | {r["psnr_rgb"]} | {r["ssim"]} ({r["ssim_kind"]}) | {r["encode_s"]} | {r["decode_s"]} |')
PY
