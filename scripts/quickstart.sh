#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
bash scripts/build.sh
SAMPLE=assets/foreman_cif_16f.mkv
echo "== nervc probe $SAMPLE"
build/nervc probe --count "$SAMPLE"
echo "== nervc metrics $SAMPLE $SAMPLE"
build/nervc metrics "$SAMPLE" "$SAMPLE"
