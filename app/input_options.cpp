#include "app/commands.h"

namespace nerv::app {

void InputOptions::add_to(CLI::App& cmd) {
  cmd.add_option("-f,--format", read.format, "Force the input demuxer (e.g. rawvideo, y4m)");
  cmd.add_option("--size", size, "Frame size WxH of raw .yuv input");
  cmd.add_option("--pix-fmt", read.pix_fmt, "Pixel format of raw input (FFmpeg name)")
      ->default_str("yuv420p");
  cmd.add_option("--fps", fps, "Frame rate of raw input (30, 29.97, 30000/1001)")
      ->default_str("25");
  cmd.add_option("--start", read.start_frame, "Index of the first frame to use")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--frames", read.max_frames, "Use at most N frames")->check(CLI::PositiveNumber);
}

ReadOptions InputOptions::finish() const {
  ReadOptions r = read;
  if (!size.empty()) parse_size(size, r.width, r.height);
  if (!fps.empty()) r.fps = parse_rational(fps);
  return r;
}

}  // namespace nerv::app
