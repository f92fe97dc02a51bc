#!/usr/bin/env bash
# nervc play, headless: from a file and from a pipe fed in pieces, streamed out as NUT through
# a pipe and read back by FFmpeg's demuxer, a stream cut mid-segment, a reader that goes away.
set -euo pipefail
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
clip=$data/foreman_64x64_6f.y4m
"$nervc" encode "$clip" -o "$dir/a.nerv" --config "$data/tiny_config.json" -q
"$nervc" decode "$dir/a.nerv" -o "$dir/ref.y4m" -q

# Paced headless playback: 6 frames at 29.97 fps take at least 5 frame periods.
"$nervc" play "$dir/a.nerv" --no-display 2> "$dir/log"
grep -Eq "played 6 frames in 0\.(1[7-9]|[2-9])" "$dir/log" || { cat "$dir/log"; exit 1; }

# A display that does not answer: headless, not an abort in the window toolkit.
DISPLAY=:97 "$nervc" play "$dir/a.nerv" 2> "$dir/log"
grep -q "does not answer: playing headless" "$dir/log"

# Encoder straight into the player.
"$nervc" encode "$clip" -o - --config "$data/tiny_config.json" -q | "$nervc" play - --no-display 2> "$dir/log"
grep -q "played 6 frames" "$dir/log"

# A stream arriving in pieces over a pipe plays as it comes; what it plays is the full decode.
size=$(stat -c %s "$dir/a.nerv")
( for off in $(seq 0 1000 "$size"); do
    dd if="$dir/a.nerv" bs=1000 skip=$((off / 1000)) count=1 status=none; sleep 0.05
  done ) | "$nervc" play - --no-display -o "$dir/piece.y4m" -q
"$nervc" metrics "$dir/ref.y4m" "$dir/piece.y4m" | grep -q identical

# Out through a pipe as NUT, read back by FFmpeg: same frames.
"$nervc" play "$dir/a.nerv" -o - -f nut -q | ffprobe -v error -count_frames \
  -show_entries stream=nb_read_frames -of csv=p=0 - | grep -qx 6
"$nervc" play "$dir/a.nerv" -o - -f nut -q > "$dir/b.nut"
"$nervc" metrics "$dir/ref.y4m" "$dir/b.nut" | grep -q identical

# MPEG-TS over TCP on loopback (x264 at QP 0 is lossless), read back by FFmpeg: same frames.
port=$((20000 + RANDOM % 20000))
timeout 60 ffmpeg -v error -y -i "tcp://127.0.0.1:$port?listen=1" -f yuv4mpegpipe "$dir/tcp.y4m" &
listener=$!
for _ in $(seq 50); do
  "$nervc" play "$dir/a.nerv" -o "tcp://127.0.0.1:$port" -f mpegts -c libx264 --qp 0 --realtime -q 2>/dev/null && break
  sleep 0.2  # the listener is not up yet
done
wait $listener
"$nervc" metrics "$dir/ref.y4m" "$dir/tcp.y4m" | grep -q identical

# In from a URL (FFmpeg's I/O layer): an HTTP server on loopback.
( cd "$dir" && exec timeout 60 python3 -m http.server "$port" --bind 127.0.0.1 ) >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do
  "$nervc" play "http://127.0.0.1:$port/a.nerv" --no-display -o "$dir/http.y4m" -q 2>/dev/null && break
  sleep 0.2
done
kill $server
"$nervc" metrics "$dir/ref.y4m" "$dir/http.y4m" | grep -q identical
if "$nervc" play "http://127.0.0.1:1/none.nerv" --no-display 2> "$dir/log"; then exit 1; fi
grep -q "cannot open: Connection refused" "$dir/log"

# Cut inside the second segment: the first segment plays and is kept, then a clean error.
head -c $((size * 3 / 4)) "$dir/a.nerv" > "$dir/cut.nerv"
if "$nervc" play "$dir/cut.nerv" --no-display -o "$dir/cut.y4m" 2> "$dir/log"; then exit 1; fi
grep -q "played 3 frames" "$dir/log"
grep -q "nervc: error: .*truncated" "$dir/log"
"$nervc" probe --count "$dir/cut.y4m" | grep -Eq "frames: +3"

# The reader goes away: a one-line error and a non-zero exit, not a crash or SIGPIPE.
set +o pipefail
"$nervc" play "$dir/a.nerv" -o - -f y4m -q 2> "$dir/log" | head -c 10 > /dev/null
rc=${PIPESTATUS[0]}
set -o pipefail
[ "$rc" -eq 1 ] || { echo "exit $rc"; cat "$dir/log"; exit 1; }
grep -q "Broken pipe" "$dir/log"
echo "play ok"
