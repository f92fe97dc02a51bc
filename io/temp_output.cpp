#include "io/temp_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "base/error.h"

namespace nerv {
namespace {

// A fixed table the signal handler can walk without allocating. A slot is claimed, its path
// written, and only then marked ready: the handler never reads a half-written path.
constexpr int kSlots = 32;
constexpr int kPathMax = 4096;
enum : int { kFree = 0, kClaimed = 1, kReady = 2 };
char g_paths[kSlots][kPathMax];
std::atomic<int> g_state[kSlots];

int register_path(const std::string& p) {
  if (p.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_state[i].compare_exchange_strong(expected, kClaimed)) {
      std::memcpy(g_paths[i], p.c_str(), p.size() + 1);
      g_state[i].store(kReady);
      return i;
    }
  }
  return -1;
}

void release(int& slot) {
  if (slot >= 0) g_state[slot].store(kFree);
  slot = -1;
}

void on_signal(int sig) {
  for (int i = 0; i < kSlots; ++i)
    if (g_state[i].load() == kReady) unlink(g_paths[i]);
  _exit(128 + sig);
}

}  // namespace

bool is_stream_target(const std::string& t) {
  return t == "-" || t.find("://") != std::string::npos || t.rfind("pipe:", 0) == 0;
}

bool writes_in_place(const std::string& t) {
  struct stat st {};
  return is_stream_target(t) || (stat(t.c_str(), &st) == 0 && !S_ISREG(st.st_mode));
}

TempOutput::TempOutput(std::string final_path) : final_path_(std::move(final_path)) {
  if (writes_in_place(final_path_)) {
    write_path_ = final_path_;
    return;
  }
  write_path_ = final_path_ + ".tmp-" + std::to_string(getpid());
  slot_ = register_path(write_path_);
}

TempOutput::TempOutput(std::string final_path, std::string write_path)
    : final_path_(std::move(final_path)), write_path_(std::move(write_path)), kept_(true) {}

TempOutput::~TempOutput() {
  if (!kept_) discard();
  release(slot_);
}

void TempOutput::remove_on_failure() {
  kept_ = false;
  if (slot_ < 0) slot_ = register_path(write_path_);
}

void TempOutput::keep() {
  kept_ = true;
  release(slot_);
}

void TempOutput::commit() {
  if (write_path_ != final_path_ && std::rename(write_path_.c_str(), final_path_.c_str()) != 0)
    throw Error("cannot rename " + write_path_ + " to " + final_path_ + ": " +
                std::strerror(errno));
  release(slot_);
  write_path_ = final_path_;
}

void TempOutput::discard() {
  if (write_path_ != final_path_) std::remove(write_path_.c_str());
  release(slot_);
  write_path_ = final_path_;
}

void sync_dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // nothing to make durable there (or no way to)
  fsync(fd);
  close(fd);
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
