#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (ctest over GoogleTest and
# the CLI checks). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 900
