#!/usr/bin/env bash
# An encode killed mid-way (SIGKILL: no chance to clean up; SIGINT: Ctrl-C) keeps its partial
# stream and checkpoint, and `encode --resume` finishes it into the very bytes an uninterrupted
# encode writes, for both model families. Resuming with other settings or another input, or
# encoding over an interrupted encode without --resume, or a second encode into an output still
# being written, is refused with one line.
# The kill comes once the first checkpoint exists (polled, never after a fixed delay) and the
# test checks that the encode had not finished by then.
set -u
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "resume: $*"; exit 1; }

# 24 frames: 8 segments of 3 (tiny configs), intra every 2.
ffmpeg -v error -stream_loop 3 -i "$data/foreman_64x64_6f.y4m" -frames:v 24 "$dir/in.y4m" ||
  fail "cannot make the input"
declare -A want_rc=([KILL]=137 [INT]=130)
wait_for() {  # at most 120 s
  for _ in $(seq 1200); do
    [ -e "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

check() {  # NAME SIGNAL CONFIG EPOCHS
  local name=$1 sig=$2 cfg=$data/$3 epochs=$4
  local args=(--config "$cfg" --epochs "$epochs" --threads 1 --seed 3)
  "$nervc" encode "$dir/in.y4m" -o "$dir/$name-ref.nerv" "${args[@]}" -q ||
    fail "$name: reference encode"
  "$nervc" encode "$dir/in.y4m" -o "$dir/$name.nerv" "${args[@]}" -q &
  local pid=$!
  wait_for "$dir/$name.nerv.partial.state" || { kill $pid; fail "$name: no checkpoint appeared"; }
  kill "-$sig" $pid
  wait $pid
  local rc=$?
  [ -e "$dir/$name.nerv" ] && fail "$name: the encode finished before the kill (make it slower)"
  [ $rc -eq "${want_rc[$sig]}" ] || fail "$name: exit $rc after SIG$sig (an error, not the kill?)"
  [ -s "$dir/$name.nerv.partial" ] || fail "$name: the partial stream is gone after SIG$sig"
  "$nervc" encode "$dir/in.y4m" -o "$dir/$name.nerv" "${args[@]}" -q 2>"$dir/err" &&
    fail "$name: encoding over an interrupted encode without --resume was accepted"
  grep -q -- "--resume" "$dir/err" || fail "$name: unclear refusal: $(cat "$dir/err")"
  # Not quiet: it must say that it resumed (a fresh encode would give the same bytes too).
  "$nervc" encode "$dir/in.y4m" -o "$dir/$name.nerv" "${args[@]}" --resume 2>"$dir/err" ||
    fail "$name: resume failed: $(tail -1 "$dir/err")"
  grep -q "resumed: [1-9][0-9]* segments" "$dir/err" || fail "$name: did not resume: $(cat "$dir/err")"
  cmp "$dir/$name-ref.nerv" "$dir/$name.nerv" ||
    fail "$name: the resumed stream differs from the uninterrupted one"
  ls "$dir/$name".nerv.* >/dev/null 2>&1 && fail "$name: left behind: $(ls "$dir/$name".nerv.*)"
  echo "$name: resumed after SIG$sig, byte-identical"
}
check grid KILL tiny_grid_config.json 300
check grid-int INT tiny_grid_config.json 300
check hnerv KILL tiny_config.json 60
check hnerv-int INT tiny_config.json 60

# Refusals: a second writer of the same output, other settings, another input.
args=(--config "$data/tiny_grid_config.json" --epochs 300 --threads 1 -q)
"$nervc" encode "$dir/in.y4m" -o "$dir/x.nerv" "${args[@]}" --seed 1 &
pid=$!
wait_for "$dir/x.nerv.partial.state" || { kill $pid; fail "refusals: no checkpoint appeared"; }
"$nervc" encode "$dir/in.y4m" -o "$dir/x.nerv" "${args[@]}" --seed 1 --resume 2>"$dir/err" &&
  { kill $pid; fail "a second encode into an output being written was accepted"; }
grep -q "another nervc is writing this output" "$dir/err" ||
  { kill $pid; fail "unclear refusal of a second writer: $(cat "$dir/err")"; }
kill -KILL $pid
wait $pid
[ -e "$dir/x.nerv" ] && fail "refusals: the encode finished before the kill"
"$nervc" encode "$dir/in.y4m" -o "$dir/x.nerv" "${args[@]}" --seed 2 --resume 2>"$dir/err" &&
  fail "resuming with another seed was accepted"
grep -q "other settings (seed)" "$dir/err" || fail "unclear refusal: $(cat "$dir/err")"
ffmpeg -v error -i "$dir/in.y4m" -vf hflip "$dir/flipped.y4m" || fail "cannot flip the input"
"$nervc" encode "$dir/flipped.y4m" -o "$dir/x.nerv" "${args[@]}" --seed 1 --resume 2>"$dir/err" &&
  fail "resuming from another input was accepted"
grep -q "input differs" "$dir/err" || fail "unclear refusal: $(cat "$dir/err")"
[ -s "$dir/x.nerv.partial" ] || fail "a refused resume removed the partial stream"
# A checkpoint whose partial stream is gone (deleted, or its encode completed just before the
# checkpoint was removed) is stale: the next encode starts over instead of refusing.
rm "$dir/x.nerv.partial"
"$nervc" encode "$dir/in.y4m" -o "$dir/x.nerv" "${args[@]}" --seed 1 ||
  fail "a stale checkpoint blocked a new encode"
[ -e "$dir/x.nerv.partial.state" ] && fail "the stale checkpoint is still there"
echo "resume ok"
