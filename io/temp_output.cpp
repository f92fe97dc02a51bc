#include "io/temp_output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "io/error.h"

namespace nerv {
namespace {

// A fixed table the signal handler can walk without allocating.
constexpr int kSlots = 32;
constexpr int kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];

int register_path(const std::string& p) {
  if (p.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_used[i].compare_exchange_strong(expected, true)) {
      std::memcpy(g_paths[i], p.c_str(), p.size() + 1);
      return i;
    }
  }
  return -1;
}

void on_signal(int sig) {
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i].load()) unlink(g_paths[i]);
  _exit(128 + sig);
}

}  // namespace

bool is_stream_target(const std::string& t) {
  return t == "-" || t.find("://") != std::string::npos || t.rfind("pipe:", 0) == 0;
}

TempOutput::TempOutput(std::string final_path) : final_path_(std::move(final_path)) {
  struct stat st {};
  bool special = stat(final_path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode);  // /dev/null, FIFO
  if (is_stream_target(final_path_) || special) {
    write_path_ = final_path_;
    return;
  }
  write_path_ = final_path_ + ".tmp-" + std::to_string(getpid());
  slot_ = register_path(write_path_);
}

TempOutput::TempOutput(std::string final_path, std::string write_path)
    : final_path_(std::move(final_path)), write_path_(std::move(write_path)) {
  slot_ = register_path(write_path_);
}

TempOutput::~TempOutput() {
  if (!kept_) discard();
  if (slot_ >= 0) g_used[slot_] = false;
}

void TempOutput::keep() {
  kept_ = true;
  if (slot_ >= 0) g_used[slot_] = false;
  slot_ = -1;
}

void TempOutput::commit() {
  if (write_path_ != final_path_ && std::rename(write_path_.c_str(), final_path_.c_str()) != 0)
    throw Error("cannot rename " + write_path_ + " to " + final_path_ + ": " +
                std::strerror(errno));
  if (slot_ >= 0) g_used[slot_] = false;
  slot_ = -1;
  write_path_ = final_path_;
}

void TempOutput::discard() {
  if (write_path_ != final_path_) std::remove(write_path_.c_str());
  if (slot_ >= 0) g_used[slot_] = false;
  slot_ = -1;
  write_path_ = final_path_;
}

void write_file(const std::string& path, const std::string& data) {
  TempOutput out(path);
  std::ofstream f(out.write_path(), std::ios::binary);
  f << data;
  f.close();
  if (!f) throw Error(path + ": write error");
  out.commit();
}

void install_interrupt_cleanup() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a closed output pipe becomes a write error, not a kill
}

}  // namespace nerv
