// One function per nervc subcommand: each adds its options to the parser and returns the
// callback that runs it. main.cpp only dispatches and turns errors into one line.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

#include "io/video_reader.h"

namespace nerv::app {

using Run = std::function<int()>;

Run add_probe(CLI::App& app);
Run add_metrics(CLI::App& app);
Run add_encode(CLI::App& app);
Run add_train_prior(CLI::App& app);
Run add_train_hyper(CLI::App& app);
Run add_concat(CLI::App& app);
Run add_decode(CLI::App& app);
Run add_info(CLI::App& app);
Run add_bench_decode(CLI::App& app);
Run add_play(CLI::App& app);
#if NERV_HAVE_FFMPEG
Run add_compare(CLI::App& app);
Run add_bdrate(CLI::App& app);
#endif

inline constexpr const char* kNervcVersion = "nervc 0.1.0";

// Options shared by every command that reads video: -f, --size, --pix-fmt, --fps, --start,
// --frames. Values land in `opt` after parsing (raw strings are resolved by finish()).
struct InputOptions {
  ReadOptions read;
  std::string size, fps;
  void add_to(CLI::App& cmd);
  ReadOptions finish() const;
};

}  // namespace nerv::app
