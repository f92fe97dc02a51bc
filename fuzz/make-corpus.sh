#!/usr/bin/env bash
# Regenerates the committed seed inputs of the fuzzers (fuzz/corpus/): small real streams
# written by `nervc encode` (both families, intra and residual segments, an odd frame size),
# the configs the tests use, and the entropy harness's coded blocks (nerv_fuzz_seeds).
# The frozen conformance streams (tests/conformance/*.nerv) are seeds too: scripts/fuzz.sh
# passes that folder as it is.
# Usage: bash fuzz/make-corpus.sh NERVC NERV_FUZZ_SEEDS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../tests/data
nervc=$1
seeds=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ffmpeg -v error -i "$data/foreman_64x64_6f.y4m" -vf scale=16:16 -frames:v 4 "$tmp/16.y4m"
ffmpeg -v error -i "$data/foreman_64x64_6f.y4m" -vf scale=24:20 -frames:v 2 "$tmp/24x20.y4m"
enc() { "$nervc" encode "$@" --seed 0 --threads 1 -q; }
out=$here/corpus/stream
enc "$tmp/16.y4m" -o "$out/grid_16x16_4f.nerv" --config "$data/tiny_grid_config.json" --epochs 8
enc "$tmp/24x20.y4m" -o "$out/grid_24x20_2f.nerv" --config "$data/tiny_grid_config.json" --epochs 8
enc "$tmp/16.y4m" -o "$out/hnerv_16x16_4f.nerv" --config "$data/tiny_config.json" --epochs 4

cp "$data/tiny_config.json" "$data/tiny_grid_config.json" "$data/bad_config.json" \
  "$here/corpus/config_json/"
rm -f "$here"/corpus/entropy_decoders/*
"$seeds" "$here/corpus/entropy_decoders"
ls -l "$here"/corpus/*
