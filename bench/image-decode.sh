#!/usr/bin/env bash
# Decode time of image streams (issue 14 §3: a 768x512 image in <= 100 ms on two cores, entropy
# decoding included): each stream is decoded RUNS times to raw video in /dev/null, and the
# median of the decoder's own time (stream read, entropy decoding, synthesis, output; not the
# process start, which loading libtorch dominates) is printed as a markdown table.
# Usage: bash bench/image-decode.sh [STREAM.nerv ...]   (default: out/images-*/streams/*.nerv)
# Env: NERVC (build/nervc), RUNS (5), THREADS (2). Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${NERVC:-build/nervc}
RUNS=${RUNS:-5}
THREADS=${THREADS:-2}
streams=("$@")
if [ ${#streams[@]} -eq 0 ]; then
  shopt -s nullglob
  streams=(out/images-*/streams/*.nerv)
fi
[ ${#streams[@]} -gt 0 ] || { echo "no streams: run nervc compare --images first" >&2; exit 1; }
echo "| stream | size | bytes | bpp | decode ms (median of $RUNS, $THREADS threads) |"
echo "|---|---|---|---|---|"
for s in "${streams[@]}"; do
  times=()
  for _ in $(seq "$RUNS"); do
    line=$("$N" decode "$s" -o /dev/null -f rawvideo --threads "$THREADS" 2>&1 >/dev/null)
    times+=("$(sed -n 's/.* in \([0-9.]*\) s,.*/\1/p' <<< "$line")")
  done
  size=$("$N" info "$s" | head -1 | awk '{print $3}')
  bytes=$(stat -c %s "$s")
  python3 - "$s" "$size" "$bytes" "${times[@]}" <<'PY'
import statistics, sys
name, size, nbytes, *t = sys.argv[1:]
w, h = map(int, size.split("x"))
ms = statistics.median(float(x) for x in t) * 1000
print(f"| {name.split('/')[-1]} | {size} | {nbytes} | {int(nbytes) * 8 / (w * h):.4f} | {ms:.0f} |")
PY
done
