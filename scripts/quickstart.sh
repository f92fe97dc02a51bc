#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on the bundled sample: encode it,
# decode the bitstream, and score the decoded frames against the source.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
bash scripts/build.sh
SAMPLE=assets/foreman_cif_16f.mkv
OUT=${OUT_DIR:-out/quickstart}
mkdir -p "$OUT"
echo "== nervc encode $SAMPLE (default preset grid; about four minutes on 2 CPU cores)"
build/nervc encode "$SAMPLE" -o "$OUT/sample.nerv" --report "$OUT/encode.json"
echo "== nervc info $OUT/sample.nerv"
build/nervc info "$OUT/sample.nerv"
echo "== nervc decode $OUT/sample.nerv -o $OUT/sample.y4m"
build/nervc decode "$OUT/sample.nerv" -o "$OUT/sample.y4m"
echo "== nervc metrics $SAMPLE $OUT/sample.y4m"
build/nervc metrics "$SAMPLE" "$OUT/sample.y4m"
