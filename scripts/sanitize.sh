#!/usr/bin/env bash
# The sanitizer run CI does after the plain test suite (issue 13 §1–§2): one clang build with
# AddressSanitizer, UBSan and libFuzzer coverage (-DNERV_FUZZ=ON, in build-san), which runs
#   1. every unit test and CLI check (ctest), stopping at the first UBSan report;
#   2. every fuzzer for FUZZ_SECONDS each (default 60; scripts/fuzz.sh), failing on any crash,
#      leak, sanitizer report, timeout or out-of-memory.
# Idempotent; installs what is missing (scripts/setup-deps.sh). Env: BUILD_DIR, FUZZ_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build-san}
bash scripts/setup-deps.sh
bash scripts/build.sh -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DNERV_FUZZ=ON

# Leaks are findings too, but for those inside third-party libraries listed (with the reason)
# in tests/lsan.supp (matched by library: FFmpeg and x265 have no frame pointers, so stacks
# stop inside them; add :fast_unwind_on_malloc=0 to ASAN_OPTIONS for whole ones, slowly).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" --timeout 1800)
ASAN_OPTIONS= bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
