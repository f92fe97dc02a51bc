#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan, -DNERV_FUZZ=ON) and runs each for
# SECONDS (default 60), then prints per harness: executions, coverage (libFuzzer's cov: and
# ft:), corpus size and the verdict. Exits non-zero if any harness found a crash, leak,
# sanitizer report, timeout or out-of-memory; its input is then under WORK/HARNESS/artifacts/.
#
#   bash scripts/fuzz.sh [SECONDS]
#   env: BUILD_DIR (default build-san, shared with the sanitizer test run), FUZZ_WORK (default
#        BUILD_DIR/fuzz-work: the corpora grow there from run to run), FUZZERS (a subset)
#
# Bounds every input must respect, failing cleanly before any: no single allocation over
# 512 MiB (-malloc_limit_mb), the process under 1 GiB resident (-rss_limit_mb; about 400 MiB
# of it is libtorch and the sanitizers' own before the first input), 10 s (-timeout).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
export BUILD_DIR=${BUILD_DIR:-build-san}
work=${FUZZ_WORK:-$BUILD_DIR/fuzz-work}
fuzzers=${FUZZERS:-stream_parser stream_decode entropy_decoders config_json}

bash scripts/setup-deps.sh >/dev/null
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ] || ! grep -q '^NERV_FUZZ:BOOL=ON' "$BUILD_DIR/CMakeCache.txt"; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DNERV_FUZZ=ON >/dev/null
fi
targets=()
for f in $fuzzers; do targets+=("fuzz_$f"); done
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${targets[@]}"

# Sanitizer settings as in the sanitizer test run; leaks are findings here.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

seeds_of() {  # read-only seed folders of a harness
  case $1 in
    stream_parser | stream_decode) echo fuzz/corpus/stream tests/conformance ;;
    entropy_decoders) echo fuzz/corpus/entropy_decoders ;;
    config_json) echo fuzz/corpus/config_json configs ;;
  esac
}
dict_of() {
  case $1 in
    stream_parser | stream_decode) echo "-dict=fuzz/stream.dict" ;;
    config_json) echo "-dict=fuzz/config.dict" ;;
  esac
}

printf '%-18s %12s %8s %8s %8s  %s\n' harness executions cov ft corpus result
failed=0
for f in $fuzzers; do
  dir=$work/$f
  mkdir -p "$dir/corpus" "$dir/artifacts"
  log=$dir/last.log
  # shellcheck disable=SC2046
  set +e
  "$BUILD_DIR/fuzz/fuzz_$f" "$dir/corpus" $(seeds_of "$f") $(dict_of "$f") \
    -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=512 -timeout=10 \
    -max_len=16384 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  # (|| true: a harness that dies before its first status line has none of these)
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1 || true)
  last=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' | tail -1 || true)
  cov=$(echo "$last" | awk '{print $2}')
  ft=$(echo "$last" | awk '{print $4}')
  corp=$(echo "$last" | awk '{print $6}')
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED (exit $rc): $(grep -m1 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY|deadly signal|Timeout|out-of-memory' "$log" || echo 'see log'); log $log"
    failed=1
  fi
  printf '%-18s %12s %8s %8s %8s  %s\n' "$f" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
exit $failed
