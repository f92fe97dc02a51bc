#!/usr/bin/env bash
# Plays a .nerv in its window on a virtual X display (Xvfb) and screenshots the screen with
# FFmpeg's x11grab, to check the window path where there is no real display.
#   scripts/play-window-screenshot.sh STREAM.nerv OUT.png
set -euo pipefail
stream=$1 png=$2
cd "$(dirname "$0")/.."
if ! command -v Xvfb >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends xvfb
fi
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp &
xvfb=$!
player=""
trap 'kill $player $xvfb 2>/dev/null || true' EXIT
sleep 1
DISPLAY=$display build/nervc play "$stream" --loop -q &
player=$!
sleep 6  # libtorch start-up, first segment decoded, a few seconds of playback
kill -0 "$player" || { echo "play-window-screenshot: the player exited early" >&2; exit 1; }
ffmpeg -v error -y -f x11grab -video_size 1024x768 -i "$display" -frames:v 1 "$png"
echo "play-window-screenshot: $png"
