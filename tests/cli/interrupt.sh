#!/usr/bin/env bash
# Ctrl-C during an encode (before its first segment is complete: see resume.sh for after) and
# during a decode leaves no output file and no temporary file.
# Each command is interrupted only once its temporary output exists (it has started writing),
# never after a fixed delay, so the test cannot pass by interrupting too early or too late.
set -u
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'exec 3>&-; rm -rf "$dir"' EXIT
out=$dir/out  # where the interrupted commands write: must end up empty
mkdir "$out"

# Waits (at most 120 s) for a file matching the glob.
wait_for() {
  for _ in $(seq 1200); do
    compgen -G "$1" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}
# SIGINT to $1, then exit 130 and nothing left in $out.
interrupt() {
  kill -INT "$1"
  wait "$1"
  local rc=$?
  [ "$rc" -eq 130 ] || { echo "$2: expected exit 130 after SIGINT, got $rc"; exit 1; }
  local left
  left=$(ls -A "$out")
  [ -z "$left" ] || { echo "$2: left behind: $left"; exit 1; }
}

# Encode: a slow preset, interrupted while it fits its first segment.
"$nervc" encode "$data/foreman_64x64_6f.y4m" -o "$out/out.nerv" --preset l -q &
pid=$!
wait_for "$out/out.nerv.partial" || { echo "encode: no temporary output appeared"; kill $pid; exit 1; }
interrupt $pid encode

# Decode: from a FIFO fed a whole stream but its last byte and then held open, so that the
# decoder has written its frames and waits for the end chunk when it is interrupted.
"$nervc" encode "$data/foreman_64x64_6f.y4m" --frames 3 --config "$data/tiny_config.json" \
  --epochs 5 -o "$dir/s.nerv" -q || { echo "encode of the stream to decode failed"; exit 1; }
mkfifo "$dir/fifo"
"$nervc" decode "$dir/fifo" -o "$out/out.y4m" -q &
pid=$!
exec 3>"$dir/fifo"  # returns once the decoder has opened the FIFO
head -c -1 "$dir/s.nerv" >&3
wait_for "$out/out.y4m.tmp-*" || { echo "decode: no temporary output appeared"; kill $pid; exit 1; }
interrupt $pid decode
echo "interrupt ok"
