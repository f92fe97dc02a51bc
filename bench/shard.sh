#!/usr/bin/env bash
# Sharded encoding on one machine (docs/BENCHMARKS.md, "Sharded encoding"): wall time of CLIP
# encoded by one process with all THREADS, against N shards of THREADS/N threads each running
# at once and joined by nervc concat; then checks that the joined stream equals a one-process
# encode at THREADS/N threads (the same float sums), and times concat alone.
#   bench/shard.sh CLIP N [nervc encode options...]
# env: NERVC (default build/nervc), THREADS (default: every core), OUT (default out/shard).
set -euo pipefail
cd "$(dirname "$0")/.."
clip=$1 n=$2
shift 2
nervc=${NERVC:-build/nervc} threads=${THREADS:-$(nproc)} out=${OUT:-out/shard}
per=$((threads / n > 0 ? threads / n : 1))
mkdir -p "$out"
now() { date +%s.%N; }
t0=$(now)
"$nervc" encode "$clip" -o "$out/one.nerv" --threads "$threads" -q "$@"
t1=$(now)
pids=()
for ((i = 0; i < n; i++)); do
  "$nervc" encode "$clip" --shard "$i/$n" -o "$out/part$i.nerv" --threads "$per" -q "$@" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t2=$(now)
parts=()
for ((i = 0; i < n; i++)); do parts+=("$out/part$i.nerv"); done
"$nervc" concat "${parts[@]}" -o "$out/joined.nerv" -q
t3=$(now)
"$nervc" encode "$clip" -o "$out/one-per.nerv" --threads "$per" -q "$@"
same=$(cmp -s "$out/joined.nerv" "$out/one-per.nerv" && echo yes || echo NO)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$n" -v t="$threads" -v p="$per" -v s="$same" \
  'BEGIN { printf "one process, %d threads: %.1f s\n%d shards x %d threads: %.1f s (x%.2f), concat %.3f s\njoined = one process at %d threads, byte for byte: %s\n", t, b - a, n, p, c - b, (b - a) / (c - b), d - c, p, s }'
ls -l "$out"/one.nerv "$out"/joined.nerv | awk '{print $5, $9}'
[ "$same" = yes ]
