// Helpers shared by the tests: where the test data lives and a scratch folder per test.
#pragma once
#include <ftw.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/frame.h"
#include "io/video_reader.h"

namespace nerv::test {

// Recursive delete through POSIX: the libtorch inside PyTorch wheels exports its own
// std::filesystem symbols, and its remove_all crashes when called from our binaries.
inline void remove_tree(const std::string& dir) {
  nftw(
      dir.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); },
      16, FTW_DEPTH | FTW_PHYS);
}

inline std::string data(const std::string& name) {
  return std::string(NERV_TEST_DATA_DIR) + "/" + name;
}

// A fresh empty directory for this test, removed by the next run.
inline std::filesystem::path scratch() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / "nervc-tests" /
             (std::string(info->test_suite_name()) + "." + info->name());
  remove_tree(dir.string());
  std::filesystem::create_directories(dir);
  return dir;
}

// A whole file's bytes, and the way back.
inline std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

inline void spit(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

inline std::vector<Frame> read_all(const std::string& url, ReadOptions opt = {}) {
  auto r = open_video_reader(url, opt);
  std::vector<Frame> frames;
  Frame f;
  while (r->read(f)) frames.push_back(f);
  return frames;
}

}  // namespace nerv::test
