#!/usr/bin/env bash
# Playback benchmark of docs/BENCHMARKS.md: start-up latency (stream opened -> first frame out)
# and sustained decode speed of `nervc play`, for the bundled sample and a 640x360 clip.
#   bench/play.sh [PRESET] [RUNS]   (defaults: xs 5)
# Decode speed depends on the network's size, not on how long it was trained, so the streams
# are encoded with few epochs to keep this quick.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-xs} runs=${2:-5}
out=out/play-bench
mkdir -p "$out"
[ -x build/nervc ] || bash scripts/build.sh
N=build/nervc
clips=("assets/foreman_cif_16f.mkv" "../shared/media/video/y4m/bug_640x360_30f.y4m")
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf "%-28s %-7s %6s %14s %14s %14s %12s\n" clip size frames "first frame ms" "decode fps" "end-to-end fps" "process s"
for clip in "${clips[@]}"; do
  name=$(basename "${clip%.*}")
  s="$out/$name.$preset.nerv"
  [ -f "$s" ] || $N encode "$clip" -o "$s" --preset "$preset" --epochs 30 -q
  read -r size frames < <($N info "$s" | awk 'NR == 1 {print $3, $6}')
  first=() dec=() e2e=() proc=()
  for _ in $(seq "$runs"); do
    # Paced headless play: the first-frame latency as a viewer sees it.
    log=$($N play "$s" --no-display 2>&1)
    first+=("$(sed -E 's/.*first frame after ([0-9]+) ms.*/\1/' <<<"$log")")
    # Unpaced, out to a NUT pipe: the sustained rate of the whole pipeline.
    t0=$(date +%s.%N)
    log=$($N play "$s" -o - -f nut 2>&1 >/dev/null)
    t1=$(date +%s.%N)
    dec+=("$(sed -E 's/.*decode ([0-9.]+) fps.*/\1/' <<<"$log")")
    e2e+=("$(sed -E 's/.*played ([0-9]+) frames in ([0-9.]+) s.*/\1 \2/' <<<"$log" | awk '{printf "%.1f", $1/$2}')")
    proc+=("$(awk "BEGIN {printf \"%.2f\", $t1 - $t0}")")
  done
  printf "%-28s %-7s %6s %14s %14s %14s %12s\n" "$name" "$size" "$frames" \
    "$(printf '%s\n' "${first[@]}" | median)" "$(printf '%s\n' "${dec[@]}" | median)" \
    "$(printf '%s\n' "${e2e[@]}" | median)" "$(printf '%s\n' "${proc[@]}" | median)"
done
