#include "eval/compare_common.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "codec/family.h"

namespace nerv {

std::vector<LadderPreset> load_ladder_entry(const std::string& entry, int epochs,
                                            const std::vector<double>& lambdas) {
  LadderPreset p;
  bool file = entry.size() > 5 && entry.substr(entry.size() - 5) == ".json";
  p.cfg = file ? load_config_file(entry) : load_preset(entry);
  p.label = file ? std::filesystem::path(entry).stem().string() : entry;
  if (epochs > 0) override_epochs(p.cfg.train, epochs);
  if (!family_has_rate_term(p.cfg) || lambdas.empty()) return {p};
  std::vector<LadderPreset> out;
  for (double l : lambdas) {
    LadderPreset q = p;
    q.cfg.train.lambda = l;
    char buf[32];
    std::snprintf(buf, sizeof buf, "@%g", l);
    q.label += buf;
    out.push_back(q);
  }
  return out;
}

std::string config_fingerprint(const CodecConfig& c) {
  nlohmann::json j = {{"decoder", decoder_config(c)},
                      {"segment_frames", c.segment_frames},
                      {"intra_period", c.intra_period},
                      {"train", config_json(c)["train"]}};  // every training field
  uint64_t h = 14695981039346656037ull;  // FNV-1a: the same on every build and platform
  for (unsigned char ch : j.dump()) h = (h ^ ch) * 1099511628211ull;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
  return buf;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace nerv
