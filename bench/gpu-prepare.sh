#!/usr/bin/env bash
# Run here (the CPU machine) before bench/gpu.sh goes to the GPU machine, which has libtorch
# (inside its PyTorch) but no FFmpeg, JSON, CLI11, GoogleTest, htscodecs or zlib headers and no
# registry. Copies those from this machine's Debian packages, and a test clip, into .gpu-deps/
# (ignored by git; name it in the device tool's `carry`).
set -euo pipefail
cd "$(dirname "$0")/.."
D=.gpu-deps/usr
A=lib/x86_64-linux-gnu
rm -rf .gpu-deps
mkdir -p $D/include $D/$A/cmake $D/share/cmake .gpu-deps/media
cp -r /usr/include/nlohmann /usr/include/CLI /usr/include/gtest /usr/include/gmock \
      /usr/include/htscodecs /usr/include/zlib.h /usr/include/zconf.h $D/include/
cp /usr/$A/libhtscodecs.a /usr/$A/libbz2.a /usr/$A/libz.a /usr/$A/libgtest.a \
   /usr/$A/libgtest_main.a /usr/$A/libgmock.a /usr/$A/libgmock_main.a $D/$A/
cp -r /usr/$A/cmake/GTest $D/$A/cmake/
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 $D/share/cmake/
cp ../shared/media/video/y4m/{foreman,akiyo,news}_cif_f020-040.y4m .gpu-deps/media/
du -sh .gpu-deps
