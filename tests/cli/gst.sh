#!/usr/bin/env bash
# The GStreamer plugin: nervcdec gives the frames of `nervc decode` from a file (pull mode) and
# from a pipe (push mode), decodebin finds it by the typefinder, videoconvert negotiates with it,
# a seek lands on the frame asked for with its timestamp, and damaged input ends the pipeline
# with an error message, never a crash.
set -euo pipefail
nervc=$1 gst_seek=$2 plugins=$3 src=$4
conf=$src/tests/conformance
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export GST_PLUGIN_PATH=$plugins GST_REGISTRY=$dir/registry.bin  # a registry of its own
launch() { gst-launch-1.0 -q "$@"; }

for s in grid_v1.2_64x64_6f hnerv_v1.0_64x64_6f image_v1.3_64x64 grey_v1.4_32x32; do
  "$nervc" decode "$conf/$s.nerv" -o "$dir/$s.ref" -f rawvideo --device cpu -q
  launch filesrc location="$conf/$s.nerv" ! nervcdec device=cpu ! filesink location="$dir/$s.pull"
  cmp "$dir/$s.ref" "$dir/$s.pull"
  launch fdsrc fd=0 ! nervcdec device=cpu ! filesink location="$dir/$s.push" < "$conf/$s.nerv"
  cmp "$dir/$s.ref" "$dir/$s.push"
  launch filesrc location="$conf/$s.nerv" ! decodebin ! filesink location="$dir/$s.auto"
  cmp "$dir/$s.ref" "$dir/$s.auto"
done
md5sum "$dir"/*.ref | sed "s|$dir/||"
launch filesrc location="$conf/grid_v1.2_64x64_6f.nerv" ! nervcdec ! videoconvert ! \
  video/x-raw,format=RGB ! fakesink

# Seek to frame 3 of 6 (segments of 2: decoding restarts at frame 2 and skips one).
"$gst_seek" "$conf/grid_v1.2_64x64_6f.nerv" 3 "$dir/seek" > "$dir/seek.log"
cat "$dir/seek.log"
grep -q "seekable 1" "$dir/seek.log"
grep -q "first frame 3 at 100100000 ns, 3 frames" "$dir/seek.log"
tail -c $((3 * 64 * 64 * 3 / 2)) "$dir/grid_v1.2_64x64_6f.ref" | cmp - "$dir/seek"
# The same as a segment seek (ends with SEGMENT_DONE); and not flushing, from PAUSED (the
# prerolled frame 0 plays first, then 3, 4, 5: the running time goes on).
"$gst_seek" "$conf/grid_v1.2_64x64_6f.nerv" 3 "$dir/seek-seg" segment | grep -q "3 frames"
cmp "$dir/seek" "$dir/seek-seg"
"$gst_seek" "$conf/grid_v1.2_64x64_6f.nerv" 3 "$dir/seek-nf" nonflush |
  grep -q "first frame 0 at 0 ns, 4 frames"
frame=$((64 * 64 * 3 / 2))
{ head -c $frame "$dir/grid_v1.2_64x64_6f.ref"; cat "$dir/seek"; } | cmp - "$dir/seek-nf"
# Odd sizes: GStreamer pads the rows of I420 (strides of 40 and 20 for 37x29).
"$nervc" decode "$conf/grid_v1.1_37x29_2f.nerv" -o "$dir/odd.ref" -f rawvideo --device cpu -q
"$gst_seek" "$conf/grid_v1.1_37x29_2f.nerv" 0 "$dir/odd" > /dev/null
cmp "$dir/odd.ref" "$dir/odd"

# Damaged input: truncated (from a file and from a pipe), a flipped byte, not a stream at all.
head -c 8000 "$conf/hnerv_v1.0_64x64_6f.nerv" > "$dir/trunc.nerv"
python3 - "$conf/hnerv_v1.0_64x64_6f.nerv" "$dir/flip.nerv" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[5000] ^= 0xFF
open(sys.argv[2], "wb").write(b)
PY
printf 'not a nerv stream at all' > "$dir/junk.nerv"
expect_error() {  # expected text, then the pipeline
  local want=$1 rc=0
  shift
  gst-launch-1.0 "$@" > "$dir/err.log" 2>&1 || rc=$?
  if [ $rc -ne 1 ]; then cat "$dir/err.log"; echo "gst: expected exit 1, got $rc"; exit 1; fi
  grep -q "$want" "$dir/err.log" || { cat "$dir/err.log"; exit 1; }
}
expect_error "exceeds the stream (truncated?)" filesrc location="$dir/trunc.nerv" ! nervcdec ! fakesink
expect_error "truncated payload" fdsrc fd=3 ! nervcdec ! fakesink 3< "$dir/trunc.nerv"
expect_error "CRC mismatch" filesrc location="$dir/flip.nerv" ! nervcdec ! fakesink
expect_error "not a .nerv stream" filesrc location="$dir/junk.nerv" ! nervcdec ! fakesink
echo "gst ok"
