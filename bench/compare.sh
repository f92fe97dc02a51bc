#!/usr/bin/env bash
# The rate-distortion benchmark of docs/BENCHMARKS.md (issue 12): nervc against x265 on the CIF
# clips foreman, akiyo and news and on bug_640x360_30f of ../shared/media/video/y4m, then a
# headless-Chromium screenshot of the report.
#   bench/compare.sh [FRAMES] [PRESETS] [OUT_DIR]   (defaults: all grid,xs,s out/compare)
# FRAMES "all" codes every frame (21 of each CIF clip, 30 of bug). Re-running continues where it
# stopped (--resume). On this CPU the defaults take about a day of one thread: docs/BENCHMARKS.md
# ran the points as several processes side by side (--lambdas and --presets split among them).
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-all} presets=${2:-grid,xs,s} out=${3:-out/compare}
media=../shared/media/video/y4m
bash scripts/setup-deps.sh
bash scripts/build.sh
opts=()
[ "$frames" != all ] && opts+=(--frames "$frames")
[ -f "$out/results.csv" ] && opts+=(--resume)
build/nervc compare "$media/foreman_cif_f020-040.y4m" "$media/akiyo_cif_f020-040.y4m" \
  "$media/news_cif_f020-040.y4m" "$media/bug_640x360_30f.y4m" --presets "$presets" \
  --out "$out" "${opts[@]}"
bash scripts/report-screenshot.sh "$out/report.html" "$out/report.png"
