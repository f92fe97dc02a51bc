// Options of every command that writes video: -f, -c, --crf, --qp, --x26x-preset.
#pragma once
#include <CLI/CLI.hpp>

#include "io/video_writer.h"

namespace nerv::app {

inline void add_output_options(CLI::App& cmd, WriteOptions& w) {
  cmd.add_option("-f,--format", w.format, "Output container (y4m, nut, matroska, mp4, ...)");
  cmd.add_option("-c,--codec", w.codec, "Video codec: rawvideo, ffv1, libx264, libx265");
  cmd.add_option("--crf", w.crf, "Constant quality for libx264/libx265")->check(CLI::Range(0, 51));
  cmd.add_option("--qp", w.qp, "Constant QP for libx264/libx265 (x264 qp 0 is lossless)")
      ->check(CLI::Range(0, 51));
  cmd.add_option("--x26x-preset", w.preset, "libx264/libx265 preset")->default_str("medium");
}

}  // namespace nerv::app
