#!/usr/bin/env bash
# Installs the Debian packages nervc builds and runs with. Idempotent: apt runs only when a
# package is missing. Needs root (or sudo) the first time.
set -euo pipefail

packages=(
  build-essential cmake pkg-config        # toolchain
  libtorch-dev                            # networks: fitting and inference
  libhtscodecs-dev zlib1g-dev             # entropy coder; CRC-32
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev  # video I/O and colour conversion
  ffmpeg                                  # x265 anchors and test fixtures (libx265 inside)
  libjpeg62-turbo-dev                     # the JPEG anchor of image comparisons
  gnuplot-nox                             # RD plots of nervc compare
  libopencv-core-dev libopencv-imgproc-dev libopencv-highgui-dev  # nervc play's window
  nlohmann-json3-dev                      # configs, results, --json output
  libcli11-dev                            # command-line parsing
  libgtest-dev                            # unit tests
  clang libclang-rt-14-dev llvm           # fuzzers (libFuzzer) and the sanitizer run; symbolizer
  python3 python3-numpy python3-scipy     # independent metric reference (tests/data)
  python3-dev pybind11-dev                # the Python module (import nervc)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev  # the GStreamer plugin (nervcdec)
  gstreamer1.0-tools gstreamer1.0-plugins-base           # gst-launch-1.0 and videoconvert: its test
  slurmctld slurmd slurm-client munge python3-yaml  # sharded encoding: the local Slurm and manifest tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all packages present"
  exit 0
fi
echo "setup-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
