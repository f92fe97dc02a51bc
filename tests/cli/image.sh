#!/usr/bin/env bash
# Still images through the CLI: a PNG is detected, coded in RGB and decoded to a PNG whose RGB
# quality equals what the encoder reported; a grey PNG stays grey; what a conversion drops is
# said on stderr.
set -euo pipefail
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
img=$data/kodim23_64x64.png
"$nervc" encode "$img" -o "$dir/a.nerv" --epochs 100 --threads 2 --report "$dir/r.json" 2> "$dir/enc.log"
grep -q "still image (rgb), preset image" "$dir/enc.log"
"$nervc" info "$dir/a.nerv" | grep -q "^nerv 1\.5  64x64 .* rgb$"
"$nervc" decode "$dir/a.nerv" -o "$dir/a.png" -q
"$nervc" probe "$dir/a.png" | grep -q "rgb24"
"$nervc" metrics --json "$img" "$dir/a.png" > "$dir/m.json"
python3 - "$dir/r.json" "$dir/m.json" <<'PY'
import json, sys
enc = json.load(open(sys.argv[1]))["metrics"]
dec = json.load(open(sys.argv[2]))
assert dec["rgb_matrix"] == "rgb", dec["rgb_matrix"]
assert abs(enc["psnr_rgb"] - dec["average"]["psnr_rgb"]) < 1e-9, (enc, dec["average"])
assert dec["average"]["psnr_rgb"] > 25, dec["average"]
print("encoder-reported and decoded RGB-PSNR agree:", enc["psnr_rgb"])
PY
# To stdout: image2pipe writes PNG by default.
"$nervc" decode "$dir/a.nerv" -o - -f image2pipe -q > "$dir/b.png"
cmp "$dir/a.png" "$dir/b.png"
# Y4M carries YUV: an RGB image becomes 4:4:4.
"$nervc" decode "$dir/a.nerv" -o "$dir/a.y4m" -q
head -c 80 "$dir/a.y4m" | grep -q "C444"
# Grey in, grey out: one plane in the stream and in the PNG.
"$nervc" encode "$data/grey_32x32.png" -o "$dir/g.nerv" --epochs 50 2> "$dir/g.log"
grep -q "still image (gray), preset image" "$dir/g.log"
"$nervc" info "$dir/g.nerv" | grep -q "^nerv 1\.5  32x32 .* gray$"
"$nervc" decode "$dir/g.nerv" -o "$dir/g.png" -q
"$nervc" probe "$dir/g.png" | grep -q "gray"
"$nervc" metrics --json "$data/grey_32x32.png" "$dir/g.png" | grep -q '"rgb_matrix": "gray"'
# 16-bit RGBA: alpha dropped and samples rounded, both said.
"$nervc" encode "$data/rgba64_16x16.png" -o "$dir/c.nerv" --epochs 5 2> "$dir/c.log"
grep -q "alpha channel of rgba64be is dropped" "$dir/c.log"
grep -q "16-bit samples" "$dir/c.log"
# A damaged image: one line, no output.
head -c 3000 "$img" > "$dir/cut.png"
if "$nervc" encode "$dir/cut.png" -o "$dir/e.nerv" 2> "$dir/e.log"; then exit 1; fi
grep -q "damaged or truncated" "$dir/e.log"
test ! -e "$dir/e.nerv"
# Too large for the configured limit: refused before anything is fitted or written.
if "$nervc" encode "$img" -o "$dir/big.nerv" --max-pixels 4000 2> "$dir/big.log"; then exit 1; fi
grep -q "64x64 frames (4096 pixels) exceed the encoder's limit of 4000 pixels" "$dir/big.log"
test "$(wc -l < "$dir/big.log")" -le 3
test ! -e "$dir/big.nerv" && test ! -e "$dir/big.nerv.partial"
# A video family cannot code RGB, and says so.
if "$nervc" encode "$img" -o "$dir/d.nerv" --preset xs 2> "$dir/d.log"; then exit 1; fi
grep -q "yuv420p video only" "$dir/d.log"
test ! -e "$dir/d.nerv"
echo "image round trip ok"
