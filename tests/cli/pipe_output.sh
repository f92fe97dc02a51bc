#!/usr/bin/env bash
# Encoding into something that cannot seek: a named pipe (FIFO), and /dev/stdout on a pipe.
# Both must end with exit 0 (no rewrite of the header at the end) and decode to the frames
# of the same encode into a file.
set -uo pipefail
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
clip=$data/foreman_64x64_6f.y4m
# Tiny: 3 frames, one segment, 10 epochs.
enc=(encode "$clip" --frames 3 --config "$data/tiny_config.json" --epochs 10 -q)
fail() { echo "FAIL: $*"; exit 1; }

"$nervc" "${enc[@]}" -o "$dir/file.nerv" || fail "encode to a file"
"$nervc" decode "$dir/file.nerv" -o "$dir/file.y4m" -q || fail "decode of the file"

# A FIFO: the reader is a decoder on it.
mkfifo "$dir/fifo"
"$nervc" decode "$dir/fifo" -o "$dir/fifo.y4m" -q &
dec=$!
"$nervc" "${enc[@]}" -o "$dir/fifo" 2>"$dir/fifo.err"
rc=$?
wait $dec
drc=$?
[ $rc -eq 0 ] || { cat "$dir/fifo.err"; fail "encode into a FIFO exited $rc"; }
[ $drc -eq 0 ] || fail "decode from the FIFO exited $drc"
"$nervc" metrics "$dir/file.y4m" "$dir/fifo.y4m" | grep -q identical || fail "FIFO decode differs"

# /dev/stdout on a pipe, into a decoder on stdin.
"$nervc" "${enc[@]}" -o /dev/stdout 2>"$dir/stdout.err" | "$nervc" decode - -o "$dir/stdout.y4m" -q
rcs=("${PIPESTATUS[@]}")
[ "${rcs[0]}" -eq 0 ] || { cat "$dir/stdout.err"; fail "encode to /dev/stdout exited ${rcs[0]}"; }
[ "${rcs[1]}" -eq 0 ] || fail "decode of the piped stream exited ${rcs[1]}"
"$nervc" metrics "$dir/file.y4m" "$dir/stdout.y4m" | grep -q identical || fail "pipe decode differs"
echo "pipe output ok"
