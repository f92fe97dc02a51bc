#!/usr/bin/env bash
# libnervc from C: the same frames as `nervc decode` from a file, from memory and through a
# read callback (alone, and with a seek callback: NervIO); a seek lands on the frame asked for; bad input gives statuses and messages;
# four decoders in four threads agree; encoding with progress and cancel;
# and, installed to a prefix, the example of docs/api.md builds with pkg-config and decodes
# the same frames.
set -euo pipefail
nervc=$1 api_c=$2 build=$3 src=$4 sanitized=${5:-0}
data=$src/tests/data conf=$src/tests/conformance
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for s in grid_v1.2_64x64_6f hnerv_v1.0_64x64_6f image_v1.3_64x64 grey_v1.4_32x32; do
  "$nervc" decode "$conf/$s.nerv" -o "$dir/$s.ref" -f rawvideo --device cpu -q
  # nervc writes planar RGB as FFmpeg's gbrp (G, B, R); the library gives R, G, B.
  if [ $s = image_v1.3_64x64 ]; then
    python3 - "$dir/$s.ref" <<'PY'
import sys
b = open(sys.argv[1], "rb").read(); n = len(b) // 3
open(sys.argv[1], "wb").write(b[2 * n:] + b[:n] + b[n:2 * n])
PY
  fi
  for mode in file into memory callback io; do
    "$api_c" $mode "$conf/$s.nerv" "$dir/$s.$mode" > /dev/null
    cmp "$dir/$s.ref" "$dir/$s.$mode"
  done
done
# Seek to frame 4 of the 6-frame stream (segments of 2: lands on an intra segment or before).
"$api_c" file "$conf/grid_v1.2_64x64_6f.nerv" "$dir/seek" 4 > /dev/null
frame=$((64 * 64 * 3 / 2))
tail -c $((2 * frame)) "$dir/grid_v1.2_64x64_6f.ref" | cmp - "$dir/seek"
"$api_c" io "$conf/grid_v1.2_64x64_6f.nerv" "$dir/seek-io" 4 | grep -q "seekable 1"
cmp "$dir/seek" "$dir/seek-io"
if "$api_c" callback "$conf/grid_v1.2_64x64_6f.nerv" "$dir/x" 4 2> "$dir/seek.log"; then exit 1; fi
grep -q "cannot seek in a pipe" "$dir/seek.log"
"$nervc" decode "$conf/grid_prior_v1.5_64x64_6f.nerv" -o "$dir/prior.ref" -f rawvideo --device cpu \
  -q --prior "$conf/tiny_grid.prior"
"$api_c" prior "$conf/grid_prior_v1.5_64x64_6f.nerv" "$dir/prior.raw" "$conf/tiny_grid.prior" \
  > /dev/null
cmp "$dir/prior.ref" "$dir/prior.raw"
"$api_c" errors "$data"
"$api_c" parallel "$conf/grid_v1.2_64x64_6f.nerv"
# Encoding: a still image with the defaults (preset image), the stream it writes decodes as
# nervc decodes it; a cancel from the progress callback leaves no output.
"$api_c" encode "$data/kodim23_64x64.png" "$dir/e.nerv" 20 | grep -q "encoded 1 frames"
"$nervc" info "$dir/e.nerv" | grep -q " rgb$"
"$api_c" cancel "$data/kodim23_64x64.png" "$dir/c.nerv" | grep -q "cancelled"
test -z "$(ls "$dir" | grep '^c\.nerv')"

# Installed: headers, library, pkg-config and CMake files; the documented example builds (not
# in sanitizer builds: their library needs the sanitizer runtimes the plain example lacks).
if [ "$sanitized" = 1 ]; then
  echo "libnervc ok (install check skipped in a sanitizer build)"
  exit 0
fi
cmake --install "$build" --prefix "$dir/prefix" > /dev/null
test -f "$dir/prefix/include/nervc/nervc.h"
test -f "$dir/prefix/lib/cmake/nervc/nervcConfig.cmake"
export PKG_CONFIG_PATH=$dir/prefix/lib/pkgconfig
sed -n '/^```c$/,/^```$/p' "$src/docs/api.md" | sed '1d;$d' > "$dir/example.c"
cc -std=c99 -Wall -Werror "$dir/example.c" -o "$dir/example" $(pkg-config --cflags --libs nervc)
LD_LIBRARY_PATH=$dir/prefix/lib "$dir/example" "$conf/grid_v1.2_64x64_6f.nerv" > "$dir/example.raw"
cmp "$dir/grid_v1.2_64x64_6f.ref" "$dir/example.raw"
# The installed GStreamer plugin finds the installed library by itself (its RPATH).
plugins=$dir/prefix/lib/gstreamer-1.0
if [ -f "$plugins/libgstnervc.so" ]; then
  GST_PLUGIN_PATH=$plugins GST_REGISTRY=$dir/registry.bin gst-launch-1.0 -q \
    filesrc location="$conf/grid_v1.2_64x64_6f.nerv" ! nervcdec device=cpu ! \
    filesink location="$dir/gst.raw"
  cmp "$dir/grid_v1.2_64x64_6f.ref" "$dir/gst.raw"
fi
echo "libnervc ok"
