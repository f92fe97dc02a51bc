#!/usr/bin/env bash
# Ctrl-C during an encode or a decode leaves no output file and no temporary file.
set -u
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$nervc" encode "$data/foreman_64x64_6f.y4m" -o "$dir/out.nerv" --preset l -q &
pid=$!
sleep 3
kill -INT $pid
wait $pid
rc=$?
[ "$rc" -eq 130 ] || { echo "expected exit 130 after SIGINT, got $rc"; exit 1; }
left=$(ls -A "$dir")
[ -z "$left" ] || { echo "left behind: $left"; exit 1; }
echo "interrupt ok"
