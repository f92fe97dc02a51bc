#!/usr/bin/env bash
# Regenerates the conformance streams of this folder and their expectations (issue 13 §3).
#
# READ THIS FIRST. These streams are frozen on purpose: tests/conformance_test.cpp decodes them
# with the current decoder and compares against what was frozen here, so that a change of the
# format made on both the encoder and the decoder side cannot pass unnoticed (an encode/decode
# round trip would still agree with itself). Running this script is a deliberate FORMAT
# DECISION: do it only when docs/bitstream.md changes in a way that makes the old streams
# invalid or decode differently (a new major version), or to add a stream, and say so in the
# commit message. Never run it to make a failing conformance test pass: a failure means the
# decoder no longer reads what an earlier nervc wrote.
#
# Encoding fits networks in floating point, so a regeneration on another machine gives other
# bytes; that is expected. What the test checks is each stream against its own expectations.
#
# What is made, from tests/data:
#   hnerv_v1.0_64x64_6f.nerv  tiny_config.json (hnerv), 6 frames: intra, residual segments;
#                             written by the current (1.5) encoder and then marked as version
#                             1.0 (see below)
#   tiny_grid.prior           a prior of tiny_grid_config.json (nervc train-prior, 40 tasks)
#   grid_prior_v1.5_64x64_6f.nerv  tiny_grid_config.json coded against tiny_grid.prior (its
#                             intra weights are differences from the prior's), 6 frames
# Kept as earlier encoders wrote them and never regenerated: a 1.5 decoder must read them.
#   grid_v1.1_64x64_6f.nerv   1.1 (tiny_grid_config.json then had no chain_context; this
#                             script made them up to commit a9e688e): 6 frames, intra, residual
#   grid_v1.1_37x29_2f.nerv   1.1: odd frame size, one segment
#   grid_v1.2_64x64_6f.nerv   1.2 (made by this script up to commit f7e18b4):
#                             tiny_grid_config.json (chain_context), 6 frames: intra, residual
#                             (its latents chained to the intra segment's)
#   image_v1.3_64x64.nerv     1.3 (made by this script up to commit c1f3555):
#                             kodim23_64x64.png, preset image (RGB, pixel format 1), 30 steps
#   grey_v1.4_32x32.nerv      1.4 (made by this script up to the commit that added the prior
#                             stream): grey_32x32.png, preset image (grey, pixel format 2)
#   NAME.y4m                  each stream decoded on the CPU in fp32 (`nervc decode`); for the
#                             RGB stream NAME.gbrp, FFmpeg's raw gbrp (planes G, B, R); for the
#                             grey one NAME.gray, the raw plane
#   expected.txt              per stream and segment, hashes of the decoded integers (written
#                             by the test itself when NERV_CONFORMANCE_REGENERATE=1)
#
# The 1.0 stream: the encoder writes version 1.5, and docs/bitstream.md (version history)
# states that hnerv streams written by 1.1 to 1.5 are byte-for-byte what 1.0 wrote apart
# from the minor version. So the 1.0 stream is the 1.5 encode with version_minor (byte 5 of the stream
# header, §2) set to 0 and the stream header's CRC (CRC-32 of bytes 0 … 10+L−1, stored at
# 10+L, where L is the u32 at byte 6) recomputed. Nothing else changes.
#
# No stream without an index chunk: the encoder always writes one (also to a pipe, `-o -`),
# and a stream with its end chunk cut off is refused by `nervc decode` ("truncated ... (no end
# chunk)", exit 1), so neither is frozen here.
#
# Usage: bash tests/conformance/make.sh [BUILD_DIR]   (default: build; needs python3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
nervc=$build/nervc
tests=$build/tests/nerv_codec_tests
data=$root/tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One thread and a fixed seed: the same machine and build give the same bytes.
enc() { "$nervc" encode "$@" --seed 0 --threads 1 -q; }

enc "$data/foreman_64x64_6f.y4m" -o "$tmp/hnerv.nerv" --config "$data/tiny_config.json" \
  --frames 6 --epochs 10
"$nervc" train-prior --data "$data/foreman_64x64_6f.y4m" --config "$data/tiny_grid_config.json" \
  --crop 32 --frames 2 --clip-frames 6 --inner 5 --steps 40 --threads 1 -q \
  -o "$tmp/tiny_grid.prior"
cp "$tmp/tiny_grid.prior" "$here/tiny_grid.prior"
enc "$data/foreman_64x64_6f.y4m" -o "$here/grid_prior_v1.5_64x64_6f.nerv" \
  --config "$data/tiny_grid_config.json" --prior "$here/tiny_grid.prior" --frames 6 --epochs 20

# Version 1.5 -> 1.0 (hnerv only; see above).
python3 - "$tmp/hnerv.nerv" "$here/hnerv_v1.0_64x64_6f.nerv" <<'EOF'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
assert b[:4] == b"NERV" and b[4] == 1 and b[5] == 5, "expected a version 1.5 stream"
(L,) = struct.unpack_from("<I", b, 6)
b[5] = 0
struct.pack_into("<I", b, 10 + L, zlib.crc32(bytes(b[: 10 + L])) & 0xFFFFFFFF)
open(sys.argv[2], "wb").write(b)
EOF

"$nervc" decode "$here/hnerv_v1.0_64x64_6f.nerv" -o "$here/hnerv_v1.0_64x64_6f.y4m" \
  --device cpu --precision fp32 -q
"$nervc" decode "$here/grid_prior_v1.5_64x64_6f.nerv" -o "$here/grid_prior_v1.5_64x64_6f.y4m" \
  --prior "$here/tiny_grid.prior" --device cpu --precision fp32 -q

NERV_CONFORMANCE_REGENERATE=1 "$tests" --gtest_filter='Conformance*'
ls -l "$here"
