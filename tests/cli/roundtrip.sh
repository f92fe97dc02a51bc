#!/usr/bin/env bash
# End-to-end through the CLI: encode, info, decode to a file and through pipes, metrics; the
# decoded quality must equal what the encoder reported.
set -euo pipefail
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
clip=$data/foreman_64x64_6f.y4m
"$nervc" encode "$clip" -o "$dir/a.nerv" --config "$data/tiny_config.json" --report "$dir/r.json" -q
"$nervc" info "$dir/a.nerv" | grep -q "segment 1  residual"
"$nervc" info --json "$dir/a.nerv" | grep -q '"index_entries": 1'
"$nervc" decode "$dir/a.nerv" -o "$dir/a.y4m" -q
"$nervc" metrics --json "$clip" "$dir/a.y4m" > "$dir/m.json"
python3 - "$dir/r.json" "$dir/m.json" <<'PY'
import json, sys
enc = json.load(open(sys.argv[1]))["metrics"]["psnr_yuv"]
dec = json.load(open(sys.argv[2]))["average"]["psnr_yuv"]
assert abs(enc - dec) < 1e-9, (enc, dec)
print("encoder-reported and decoded YUV-PSNR agree:", enc)
PY
# The same stream through pipes: encoder to stdout, decoder from stdin, NUT to stdout.
"$nervc" encode "$clip" -o - --config "$data/tiny_config.json" -q | "$nervc" decode - -o - -f nut -q > "$dir/b.nut"
"$nervc" metrics "$dir/a.y4m" "$dir/b.nut" | grep -q "identical"
# Other containers.
"$nervc" decode "$dir/a.nerv" -o "$dir/a.mkv" -q
"$nervc" metrics "$dir/a.y4m" "$dir/a.mkv" | grep -q "identical"
"$nervc" decode "$dir/a.nerv" -o "$dir/a.mp4" -q --crf 10
"$nervc" probe --count "$dir/a.mp4" | grep -Eq "frames: +6"
echo "round trip ok"
