#!/usr/bin/env bash
# Runs a nervc command and checks how it ends.
#   expect.sh fail REGEX CMD...  : non-zero exit, exactly one stderr line, matching REGEX
#   expect.sh ok   REGEX CMD...  : zero exit, stdout matching REGEX
#   expect.sh killed FILE CMD... : CMD killed (SIGKILL: no cleanup) as soon as FILE appears
#                                  (a checkpoint), which must be there afterwards
set -u
mode=$1 regex=$2
shift 2
if [ "$mode" = killed ]; then
  "$@" > /dev/null 2>&1 < /dev/null &
  pid=$!
  for _ in $(seq 1200); do [ -f "$regex" ] && break; sleep 0.05; done
  kill -9 $pid 2> /dev/null
  wait $pid 2> /dev/null
  [ -f "$regex" ] || { echo "command: $*"; echo "expected: $regex within 60 s"; exit 1; }
  exit 0
fi
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
timeout 120 "$@" >"$out" 2>"$err" </dev/null
rc=$?
show() { echo "command: $*"; echo "exit: $rc"; echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"; }
if [ "$mode" = fail ]; then
  lines=$(wc -l <"$err")
  if [ "$rc" -eq 0 ] || [ "$rc" -ge 124 ] || [ "$lines" -ne 1 ] || ! grep -Eq -- "$regex" "$err"; then
    show "$@"; echo "expected: one stderr line matching /$regex/ and exit 1 or 2"; exit 1
  fi
else
  if [ "$rc" -ne 0 ] || ! grep -Eq -- "$regex" "$out"; then
    show "$@"; echo "expected: exit 0 and stdout matching /$regex/"; exit 1
  fi
fi
exit 0
