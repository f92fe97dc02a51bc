#!/usr/bin/env bash
# The rate-distortion benchmark of docs/BENCHMARKS.md: nervc against x265 on three CIF clips of
# ../shared/media/video/y4m, then a headless-Chromium screenshot of the report.
#   bench/compare.sh [FRAMES] [PRESETS] [OUT_DIR]   (defaults: 16 xs,s,m out/compare)
# Re-running continues where it stopped (--resume).
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-16} presets=${2:-xs,s,m} out=${3:-out/compare}
media=../shared/media/video/y4m
bash scripts/setup-deps.sh
bash scripts/build.sh
resume=()
[ -f "$out/results.csv" ] && resume=(--resume)
build/nervc compare "$media/foreman_cif_f020-040.y4m" "$media/akiyo_cif_f020-040.y4m" \
  "$media/news_cif_f020-040.y4m" --frames "$frames" --presets "$presets" --out "$out" "${resume[@]}"
bash scripts/report-screenshot.sh "$out/report.html" "$out/report.png"
