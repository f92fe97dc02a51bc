#!/usr/bin/env bash
# The window path of `nervc play` on a virtual X display (Xvfb): screenshots the playing window
# (FFmpeg's x11grab), then presses left (seek to the intra segment), space (pause: two
# screenshots a second apart must be equal), space (resume: they must differ) and q (quit)
# with xdotool, and checks that the player saw the seek and the quit.
# Installs xvfb and xdotool if missing.
#   scripts/play-window-check.sh STREAM.nerv OUT.png
set -euo pipefail
stream=$1 png=$2
cd "$(dirname "$0")/.."
missing=()
command -v Xvfb >/dev/null || missing+=(xvfb)
command -v xdotool >/dev/null || missing+=(xdotool)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
display=:$((90 + RANDOM % 100))
log=$(mktemp)
Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp &
xvfb=$!
player=""
trap 'kill $player $xvfb 2>/dev/null || true; rm -f "$log"' EXIT
sleep 1
export DISPLAY=$display
build/nervc play "$stream" --loop 2> "$log" &
player=$!
sleep 6  # libtorch start-up, first segment decoded, a few seconds of playback
kill -0 "$player" || { cat "$log" >&2; echo "play-window-check: the player exited early" >&2; exit 1; }
ffmpeg -v error -y -f x11grab -video_size 1024x768 -i "$display" -frames:v 1 "$png"
win=$(xdotool search --sync --name "nervc")
xdotool windowfocus --sync "$win"
grab() { ffmpeg -v error -y -f x11grab -video_size 1024x768 -i "$display" -frames:v 1 -f rawvideo - | md5sum; }
xdotool key Left
sleep 1
xdotool key space
sleep 0.5
paused_a=$(grab); sleep 1; paused_b=$(grab)
[ "$paused_a" = "$paused_b" ] || { echo "play-window-check: the picture moved while paused" >&2; exit 1; }
xdotool key space
sleep 0.5
playing_a=$(grab); sleep 1; playing_b=$(grab)
[ "$playing_a" != "$playing_b" ] || { echo "play-window-check: space did not resume" >&2; exit 1; }
xdotool key q
for _ in $(seq 20); do kill -0 "$player" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$player" 2>/dev/null; then echo "play-window-check: q did not quit" >&2; exit 1; fi
cat "$log" >&2
grep -q "(quit)" "$log" || { echo "play-window-check: no quit" >&2; exit 1; }
grep -Eq "seeks [1-9]" "$log" || { echo "play-window-check: the left arrow did not seek" >&2; exit 1; }
echo "play-window-check: $png; seek, pause, resume and quit seen"
