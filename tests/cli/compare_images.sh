#!/usr/bin/env bash
# compare --images end to end on one 64x64 image: three anchors at their full ladders and two
# nervc points; the outputs agree with the streams on disk, every anchor gets BD figures, the
# report carries plots and crops, --resume skips every point, and bad options fail early.
set -euo pipefail
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/imgs"
cp "$data/kodim23_64x64.png" "$dir/imgs/"
args=("$dir/imgs" --images --anchors jpeg-444,webp,hevc-444-medium --lambdas 0.02,0.002
      --epochs 20 --threads 2 --out "$dir/c")
"$nervc" compare "${args[@]}" > "$dir/stdout" 2> "$dir/progress.log"
grep -q "BD-rate psnr_rgb vs webp" "$dir/stdout"
grep -q "RGB-PSNR" "$dir/progress.log"
for f in results.csv results.json rd_kodim23_64x64.png report.html crops/kodim23_64x64.source.png \
  crops/kodim23_64x64.nervc.image@0.002.png crops/kodim23_64x64.webp.q75.png; do
  test -s "$dir/c/$f" || { echo "missing $f"; exit 1; }
done
grep -q "Centre crops" "$dir/c/report.html"
test "$(grep -c 'src="data:image/png;base64,' "$dir/c/report.html")" -ge 4
python3 - "$dir/c" <<'PY'
import csv, json, os, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "results.csv"))))
assert len(rows) == 7 + 7 + 6 + 2, len(rows)
ext = {"jpeg-444": "jpg", "webp": "webp", "hevc-444-medium": "hevc", "nervc": "nerv"}
for r in rows:
    assert r["status"] == "ok", r
    f = os.path.join(d, "streams", f"{r['sequence']}.{r['codec']}.{r['setting']}.{ext[r['codec']]}")
    assert os.path.getsize(f) == int(r["bytes"]), (f, r["bytes"])
    assert abs(float(r["bpp"]) - int(r["bytes"]) * 8 / 4096) < 1e-6, r
    assert 15 < float(r["psnr_rgb"]) < 60, r
j = json.load(open(os.path.join(d, "results.json")))
anchors = {e["anchor"] for e in j["bd"]}
assert anchors == {"jpeg-444", "webp", "hevc-444-medium"}, anchors
assert {e["metric"] for e in j["bd"]} == {"psnr_rgb", "msssim"}
assert any(e["sequence"] == "average" for e in j["bd"])
assert "libjpeg-turbo" in j["versions"]
assert all("<Q>" in a["command"] for a in j["settings"]["anchors"])
print("compare --images:", len(rows), "points")
PY
"$nervc" compare "${args[@]}" --resume > /dev/null 2> "$dir/resume.log"
test "$(grep -c 'done before (--resume)' "$dir/resume.log")" -eq 22
if "$nervc" compare "$dir/imgs" --images --anchors gif --out "$dir/d" 2> "$dir/e1"; then exit 1; fi
grep -q "unknown image anchor 'gif'" "$dir/e1"
if "$nervc" compare "$dir/imgs" --images --presets xs --out "$dir/d" 2> "$dir/e2"; then exit 1; fi
grep -q "images need a grid preset" "$dir/e2"
test ! -e "$dir/d/results.csv"
echo "compare --images ok"
