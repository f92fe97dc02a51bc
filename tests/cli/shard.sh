#!/usr/bin/env bash
# nervc encode --shard / --chains and nervc concat from the command line: two shards joined are
# the single-process stream byte for byte; a part decodes on its own; misuse and bad parts give
# one-line errors and no output.
#   shard.sh NERVC DATA_DIR EXPECT
set -euo pipefail
nervc=$1 data=$2 expect=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
clip=$data/foreman_64x64_6f.y4m
opts=(--config "$data/tiny_grid_config.json" --segment-frames 1 --intra-period 2 --threads 1 -q)
enc() { "$nervc" encode "$clip" "${opts[@]}" "$@"; }

enc -o "$dir/whole.nerv"
enc --shard 1/2 -o "$dir/b.nerv"  # chains 1:3
enc --chains 0:1 -o "$dir/a.nerv"
"$nervc" concat "$dir/b.nerv" "$dir/a.nerv" -o "$dir/joined.nerv" -q
cmp "$dir/whole.nerv" "$dir/joined.nerv"
"$nervc" info "$dir/b.nerv" | grep -q "part: chains 1:3 of 3"
"$nervc" decode "$dir/b.nerv" -o "$dir/b.y4m" -q
test "$(grep -c FRAME "$dir/b.y4m")" = 4

fail() { bash "$expect" fail "$@"; }
fail "only 3 chains" "$nervc" encode "$clip" "${opts[@]}" --shard 0/4 -o "$dir/x.nerv"
fail "shard index must be below" "$nervc" encode "$clip" "${opts[@]}" --shard 2/2 -o "$dir/x.nerv"
fail "expected two numbers" "$nervc" encode "$clip" "${opts[@]}" --chains 1 -o "$dir/x.nerv"
fail "not a range within the input's 3 chains" "$nervc" encode "$clip" "${opts[@]}" --chains 2:5 -o "$dir/x.nerv"
fail "excludes|--warm-intra" "$nervc" encode "$clip" "${opts[@]}" --warm-intra --shard 0/2 -o "$dir/x.nerv"
fail "chains 1:3 are missing" "$nervc" concat "$dir/a.nerv" -o "$dir/x.nerv"
fail "whole.nerv: not a part stream" "$nervc" concat "$dir/a.nerv" "$dir/whole.nerv" -o "$dir/x.nerv"
fail "nope.nerv" "$nervc" concat "$dir/a.nerv" "$dir/nope.nerv" -o "$dir/x.nerv"
test ! -e "$dir/x.nerv"
echo "PASS"
