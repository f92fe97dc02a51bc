#!/usr/bin/env bash
# Peak memory of encode and decode does not grow with the input's length: a 64x64 input of
# 250 and of 1000 frames (84 and 334 segments, one training step each) must peak within 5 %
# + 8 MiB of each other. Catches anything kept per segment (frames, tensors, reports,
# checkpoints, index entries beyond a few bytes). Figures: docs/BENCHMARKS.md.
set -u
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "memory: $*"; exit 1; }

# Peak resident memory (KiB) of a command, by getrusage of the waited child.
peak() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
declare -A enc dec
for n in 250 1000; do
  ffmpeg -v error -stream_loop -1 -i "$data/foreman_64x64_6f.y4m" -frames:v $n "$dir/in$n.y4m" ||
    fail "cannot make the input"
  enc[$n]=$(peak "$nervc" encode "$dir/in$n.y4m" -o "$dir/s$n.nerv" \
    --config "$data/tiny_grid_config.json" --epochs 1 --threads 1 -q) || fail "encode of $n frames"
  dec[$n]=$(peak "$nervc" decode "$dir/s$n.nerv" -o "$dir/out$n.y4m" -q) || fail "decode of $n frames"
  echo "$n frames: encode peak ${enc[$n]} KiB, decode peak ${dec[$n]} KiB"
done
for what in encode decode; do
  if [ $what = encode ]; then a=${enc[250]} b=${enc[1000]}; else a=${dec[250]} b=${dec[1000]}; fi
  [ "$b" -le $((a * 105 / 100 + 8192)) ] ||
    fail "$what peak grows with the input: $a KiB at 250 frames, $b KiB at 1000"
done
echo "memory ok"
