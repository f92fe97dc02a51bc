// What train-prior and train-hyper share: their clip lists and their manifests' fields.
#pragma once
#include <CLI/CLI.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codec/config.h"

namespace nerv::app {

// The options both take: the clips, the grid preset or config, the tasks' shape.
struct TrainInputs {
  std::vector<std::string> data, dev;
  std::string preset = "grid", config;
  int crop = 128, frames = 0, clip_frames = 96;
  double lambda = -1;  // > 0: instead of the preset's
  bool augment = false;
  void add_to(CLI::App& cmd);
  // " --preset P" or " --config F", " --lambda L" if given, " --augment" if set: for the run's
  // command line.
  std::string source() const;
  // The config (a grid one; `what` says what is trained, for the error) and the clip lists,
  // folders expanded and the split checked. Throws nerv::Error for misuse.
  CodecConfig resolve(const CLI::App& cmd, const std::string& who, const std::string& what,
                      std::vector<std::string>& train, std::vector<std::string>& held_out) const;
};

// The progress line of a training run: on a terminal rewritten in place at every step,
// elsewhere a line every 5 s (and at the last step); the ETA from the steps this run did.
class TrainTicker {
 public:
  TrainTicker(bool quiet, int start_step);
  // Whether to print for this step; if so, `times` is "elapsed A  ETA B".
  bool due(int step, int steps, std::string& times);
  const char* lead() const { return tty_ ? "\r" : ""; }
  const char* end() const { return tty_ ? "  " : "\n"; }
  // Ends the in-place line on a terminal.
  void finish() const;

 private:
  bool quiet_, tty_;
  int start_step_;
  std::chrono::steady_clock::time_point t0_, last_;
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

// What every training manifest says about its run (the caller adds what it trained).
struct TrainRun {
  std::vector<std::string> train, dev;
  std::string command, device;
  int steps = 0, resumed_from = 0, threads = 0;
  double seconds = 0;
};
nlohmann::json run_manifest(const TrainRun& r);

}  // namespace nerv::app
