#include "eval/compare_common.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/error.h"
#include "codec/family.h"
#include "eval/csv.h"
#include "io/temp_output.h"

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

nlohmann::json machine_json(const torch::Device& device) {
  return {{"cpu", cpu_model()},
          {"logical_cores", std::thread::hardware_concurrency()},
          {"compute_threads", torch::get_num_threads()},
          {"device", device.str()}};
}

std::map<std::string, RdPoint> finished_points(const std::string& dir, bool resume,
                                               const std::string& resume_key) {
  namespace fs = std::filesystem;
  std::string csv_path = (fs::path(dir) / "results.csv").string();
  std::string json_path = (fs::path(dir) / "results.json").string();
  std::map<std::string, RdPoint> done;
  if (!fs::exists(csv_path)) return done;
  if (!resume)
    throw Error(csv_path +
                " exists: add --resume to continue that comparison, or use another --out");
  if (fs::exists(json_path)) {
    std::ifstream jf(json_path);
    nlohmann::json old = nlohmann::json::parse(jf, nullptr, false);
    if (!old.is_discarded() && old.value("resume_key", resume_key) != resume_key)
      throw Error(dir + " holds a comparison with other settings (" +
                  old.value("resume_key", std::string()) + "); use another --out");
  }
  for (RdPoint& p : read_rd_points(read_csv(csv_path)))
    if (p.ok()) done[p.key()] = p;
  return done;
}

void start_results_csv(const std::string& dir, const std::vector<std::string>& planned_keys,
                       std::map<std::string, RdPoint>& done) {
  std::string text = rd_csv_header() + "\n";
  for (const std::string& k : planned_keys)
    if (done.count(k)) text += to_csv_line(done[k]) + "\n";
  write_file((std::filesystem::path(dir) / "results.csv").string(), text);
}

void append_result(const std::string& dir, const RdPoint& p) {
  std::string path = (std::filesystem::path(dir) / "results.csv").string();
  std::ofstream f(path, std::ios::app);
  f << to_csv_line(p) << "\n";
  if (!f) throw Error(path + ": write error");
}

}  // namespace nerv
