#!/usr/bin/env bash
# BD-rate (YUV-PSNR, PCHIP) of the GPU grid points of `PARTS=rd bash bench/gpu.sh` (its
# rd.csv) against the x265 points of a CPU comparison over the same clips and frame count
# (e.g. bench/compare.sh 21 grid out/compare-grid21): one line per clip, then the average.
#   bench/gpu-rd-bd.sh RD.csv COMPARE_RESULTS.csv
set -euo pipefail
cd "$(dirname "$0")/.."
rd=$1 cmp=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
python3 - "$rd" "$cmp" "$W" <<'PY'
import csv, sys
rd, cmp, w = sys.argv[1:]
test = list(csv.DictReader(open(rd)))
anchor = [r for r in csv.DictReader(open(cmp)) if r["codec"] == "x265" and r["status"] == "ok"]
frames = {r["frames"] for r in test}
for seq in sorted({r["sequence"] for r in test}):
    a = [r for r in anchor if r["sequence"] == seq]
    if not a or {r["frames"] for r in a} != frames:
        sys.exit(f"{cmp}: no x265 points for {seq} at {'/'.join(frames)} frames")
    for name, rows in (("anchor", a), ("test", [r for r in test if r["sequence"] == seq])):
        with open(f"{w}/{seq}.{name}.csv", "w") as f:
            f.write("bitrate,psnr\n")
            for r in rows:
                f.write(f"{r['bpp']},{r['psnr_yuv']}\n")
PY
total=0 n=0
for seq in $(cd "$W" && ls *.anchor.csv | sed 's/\.anchor\.csv$//'); do
  bd=$(build/nervc bdrate "$W/$seq.anchor.csv" "$W/$seq.test.csv" --json |
    python3 -c 'import json,sys; v=json.load(sys.stdin)["bd_rate_percent_pchip"].get("value"); print("nan" if v is None else round(v, 1))')
  echo "$seq: BD-rate YUV-PSNR $bd %"
  [ "$bd" != nan ] && total=$(python3 -c "print($total + $bd)") && n=$((n + 1))
done
[ $n -gt 0 ] && python3 -c "print('average over $n clips: %+.1f %%' % ($total / $n))"
