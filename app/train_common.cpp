#include "app/train_common.h"

#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "app/commands.h"
#include "app/progress.h"
#include "base/error.h"
#include "codec/family.h"

namespace nerv::app {

TrainTicker::TrainTicker(bool quiet, int start_step)
    : quiet_(quiet), tty_(isatty(fileno(stderr)) != 0), start_step_(start_step) {
  t0_ = std::chrono::steady_clock::now();
  last_ = t0_ - std::chrono::seconds(10);
}

bool TrainTicker::due(int step, int steps, std::string& times) {
  if (quiet_) return false;
  auto now = std::chrono::steady_clock::now();
  if (!tty_ && now - last_ < std::chrono::seconds(5) && step < steps) return false;
  last_ = now;
  double el = std::chrono::duration<double>(now - t0_).count();
  double eta = el / std::max(1, step - start_step_) * (steps - step);
  times = "elapsed " + format_duration(el) + "  ETA " + format_duration(eta);
  return true;
}

void TrainTicker::finish() const {
  if (tty_ && !quiet_) std::fprintf(stderr, "\n");
}

void TrainInputs::add_to(CLI::App& cmd) {
  cmd.add_option("--data", data, "Training clips, or folders of them")->required();
  cmd.add_option("--dev", dev, "Held-out clips, written into the manifest (never trained on)");
  cmd.add_option("--preset", preset, "The grid preset: its model, lambda and fitting recipe")
      ->default_str("grid");
  cmd.add_option("--config", config, "A JSON config instead of a preset");
  cmd.add_option("--lambda", lambda, "Rate-distortion trade-off instead of the preset's")
      ->check(CLI::Range(1e-9, 1e6));
  cmd.add_option("--crop", crop, "Task crops, square, luma pixels (even)")
      ->default_str("128")
      ->check(CLI::Range(16, 4096));
  cmd.add_option("--frames", frames, "Frames per task (default: the preset's segment)")
      ->check(CLI::Range(1, 1024));
  cmd.add_option("--clip-frames", clip_frames, "Frames read from the start of each clip")
      ->default_str("96")
      ->check(CLI::Range(1, 100000));
  cmd.add_flag("--augment", augment,
               "Mirror tasks left-right and play them backwards at random (four per crop)");
}

CodecConfig TrainInputs::resolve(const CLI::App& cmd, const std::string& who,
                                 const std::string& what, std::vector<std::string>& train,
                                 std::vector<std::string>& held_out) const {
  if (!config.empty() && cmd.count("--preset"))
    throw Error("--preset and --config are mutually exclusive");
  CodecConfig cfg = config.empty() ? load_preset(preset) : load_config_file(config);
  if (!cfg.model.contains("arch") || cfg.model["arch"] != "grid")
    throw Error(who + ": a " + what + " is for the grid family, not '" + cfg.name + "'");
  if (lambda > 0) set_lambda(cfg, lambda);
  train = expand_clips(data);
  held_out = expand_clips(dev);
  check_split(train, held_out);
  return cfg;
}

std::string TrainInputs::source() const {
  std::string s = config.empty() ? " --preset " + preset : " --config " + config;
  if (lambda > 0) {
    char l[32];
    std::snprintf(l, sizeof l, " --lambda %g", lambda);
    s += l;
  }
  if (augment) s += " --augment";
  return s;
}

std::vector<std::string> expand_clips(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> in;
    for (const auto& e : fs::directory_iterator(p, ec))
      if (e.is_regular_file()) in.push_back(e.path().string());
    std::sort(in.begin(), in.end());
    if (in.empty()) throw Error(p + ": no files in this folder");
    out.insert(out.end(), in.begin(), in.end());
  }
  return out;
}

void check_split(const std::vector<std::string>& train, const std::vector<std::string>& dev) {
  for (const auto& d : dev)
    if (std::find(train.begin(), train.end(), d) != train.end())
      throw Error(d + ": in both --data and --dev");
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += " " + x;
  return s;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return b;
}

nlohmann::json run_manifest(const TrainRun& r) {
  return {{"train", r.train},
          {"dev", r.dev},
          {"command", r.command},
          {"steps", r.steps},
          {"resumed_at_step", r.resumed_from},
          {"seconds_this_run", r.seconds},
          {"device", r.device},
          {"threads", r.threads},
          {"finished", utc_now()},
          {"build", std::string(kNervcVersion) + ", libtorch " + TORCH_VERSION}};
}

}  // namespace nerv::app
