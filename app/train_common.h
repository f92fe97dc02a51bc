// What train-prior and train-hyper share: their clip lists and their manifests' fields.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "codec/config.h"

namespace nerv::app {

// The options both take: the clips, the grid preset or config, the tasks' shape.
struct TrainInputs {
  std::vector<std::string> data, dev;
  std::string preset = "grid", config;
  int crop = 128, frames = 0, clip_frames = 96;
  void add_to(CLI::App& cmd);
  // The config (a grid one; `what` says what is trained, for the error) and the clip lists,
  // folders expanded and the split checked. Throws nerv::Error for misuse.
  CodecConfig resolve(const CLI::App& cmd, const std::string& who, const std::string& what,
                      std::vector<std::string>& train, std::vector<std::string>& held_out) const;
};

// Files as given; a folder stands for the regular files in it, sorted. Throws nerv::Error for
// an empty folder.
std::vector<std::string> expand_clips(const std::vector<std::string>& paths);
// Throws nerv::Error for a clip in both lists.
void check_split(const std::vector<std::string>& train, const std::vector<std::string>& dev);
// " a b c"
std::string joined(const std::vector<std::string>& v);
// The time now, "2026-12-04T10:00:00Z".
std::string utc_now();

}  // namespace nerv::app
