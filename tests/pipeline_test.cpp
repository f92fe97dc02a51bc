// The decode pipeline's threads: a reader blocked on a pipe that never delivers is stopped and
// joined when the pipeline goes away, and a pipeline whose second thread cannot be started
// stops its first before the error leaves the constructor. Also the runtime's switches, read
// and written from several threads.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <future>
#include <system_error>
#include <thread>

#include "codec/decode_pipeline.h"
#include "models/runtime.h"
#include "tests/test_util.h"

// Thread creation with an injected failure: while g_fail_countdown is armed, calls from the
// armed thread count it down and the one that reaches zero fails as pthread_create does when
// the system is out of threads. Every other call goes to the C library's pthread_create.
namespace {
std::atomic<int> g_fail_countdown{0};
std::atomic<pthread_t> g_armed_thread{};
std::atomic<int> g_armed_calls{0};
}  // namespace

extern "C" int pthread_create(pthread_t* t, const pthread_attr_t* attr, void* (*fn)(void*),
                              void* arg) {
  using Fn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
  static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "pthread_create"));
  if (g_fail_countdown.load() > 0 && pthread_equal(pthread_self(), g_armed_thread.load())) {
    ++g_armed_calls;
    if (--g_fail_countdown == 0) return EAGAIN;
  }
  return real(t, attr, fn, arg);
}

namespace nerv {
namespace {

// The stream header of a tiny hnerv stream (the first bytes of tests/data/truncated.nerv).
std::vector<uint8_t> stream_header() {
  std::ifstream f(test::data("truncated.nerv"), std::ios::binary);
  std::vector<uint8_t> b(std::istreambuf_iterator<char>(f), {});
  EXPECT_GT(b.size(), 14u);
  size_t fields = b[6] | b[7] << 8 | b[8] << 16 | size_t(b[9]) << 24;
  b.resize(10 + fields + 4);
  return b;
}

void write_all(int fd, const void* p, size_t n) {
  ASSERT_EQ(write(fd, p, n), ssize_t(n));
}

// An anonymous pipe opened by path (/dev/fd/N), so that once the test closes its own read end
// only the pipeline's reader holds one; the write end stays with the test.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    EXPECT_EQ(pipe(fd), 0);
    std::signal(SIGPIPE, SIG_IGN);
  }
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
  std::string read_path() const { return "/dev/fd/" + std::to_string(fd[0]); }
  void close_read() {
    close(fd[0]);
    fd[0] = -1;
  }
  // True when no reader is left on the pipe: a write then fails with EPIPE.
  bool no_reader_left() const {
    errno = 0;
    return write(fd[1], "x", 1) == -1 && errno == EPIPE;
  }
};

TEST(DecodePipelineThreads, DestroyingItWhileTheReaderWaitsOnAPipeJoinsTheReader) {
  Pipe p;
  std::vector<uint8_t> header = stream_header();
  write_all(p.fd[1], header.data(), header.size());
  auto pipeline = std::make_unique<DecodePipeline>(p.read_path(), DecodeOptions{});
  EXPECT_FALSE(pipeline->seekable());
  // Four bytes of a chunk: the reader takes them, then waits in a read for the rest.
  write_all(p.fd[1], "SEGM", 4);
  for (int i = 0; i < 20000; ++i) {  // a bound, not an oracle: the loop ends when they are read
    int pending = -1;
    ASSERT_EQ(ioctl(p.fd[0], FIONREAD, &pending), 0);
    if (pending == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  p.close_read();

  std::promise<void> destroyed;
  std::future<void> done = destroyed.get_future();
  std::thread t([&] {
    pipeline.reset();
    destroyed.set_value();
  });
  bool prompt = done.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  if (!prompt) {  // an end of file releases a reader that the destructor could not stop
    close(p.fd[1]);
    p.fd[1] = -1;
  }
  t.join();
  ASSERT_TRUE(prompt) << "the destructor waited for a reader blocked on the pipe";
  // A detached reader would still hold the pipe's read end open.
  EXPECT_TRUE(p.no_reader_left()) << "the reader thread outlived its pipeline";
}

TEST(DecodePipelineThreads, ASecondThreadThatCannotStartStopsTheFirst) {
  std::vector<uint8_t> header = stream_header();
  {
    // Once through without a fault: whatever the constructor starts lazily is started now.
    Pipe warm;
    write_all(warm.fd[1], header.data(), header.size());
    DecodePipeline p(warm.read_path(), DecodeOptions{});
  }
  Pipe p;
  write_all(p.fd[1], header.data(), header.size());
  std::string path = p.read_path();
  g_armed_calls = 0;
  g_armed_thread = pthread_self();
  g_fail_countdown = 2;  // the reader starts, the decoder thread does not
  try {
    DecodePipeline pipeline(path, DecodeOptions{});
    ADD_FAILURE() << "the pipeline started although its second thread could not";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::resource_unavailable_try_again) << e.what();
  }
  g_fail_countdown = 0;
  EXPECT_EQ(g_armed_calls.load(), 2);
  p.close_read();
  EXPECT_TRUE(p.no_reader_left()) << "the reader thread outlived the failed constructor";
}

// Written from one thread, read from others (a failed CUDA graph capture in a pipeline thread
// switches graphs off for all): a data race unless the flag is atomic. ThreadSanitizer
// (-fsanitize=thread) reports it otherwise; the values read must be ones that were written.
TEST(Runtime, CudaGraphSwitchIsSharedAcrossThreads) {
  bool before = cuda_graphs_enabled();
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!stop) {
      bool v = cuda_graphs_enabled();
      (void)v;
      ++reads;
    }
  });
  for (int i = 0; i < 20000; ++i) set_cuda_graphs(i % 2 == 0);
  set_cuda_graphs(false);
  while (reads < 1000) std::this_thread::yield();
  stop = true;
  reader.join();
  EXPECT_FALSE(cuda_graphs_enabled());
  set_cuda_graphs(before);
}

}  // namespace
}  // namespace nerv
