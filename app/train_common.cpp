#include "app/train_common.h"

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "base/error.h"

namespace nerv::app {

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

}  // namespace nerv::app
