#include "io/file_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "io/read_cancel.h"

#if NERV_HAVE_FFMPEG
extern "C" {
#include <libavformat/avio.h>
}
#include "io/ffmpeg_util.h"
#endif

namespace nerv {
namespace {

#if NERV_HAVE_FFMPEG
// A URL opened by FFmpeg's I/O layer (http, tcp, udp, ...), read through a stdio FILE so the
// rest of nervc reads URLs exactly like files and pipes.
FILE* open_url(const std::string& url, const ReadCancel* cancel) {
  AVIOContext* io = nullptr;
  // FFmpeg's network reads wait in short polls and end when this says so.
  AVIOInterruptCB interrupt{
      [](void* c) { return static_cast<const ReadCancel*>(c)->cancelled() ? 1 : 0; },
      const_cast<ReadCancel*>(cancel)};
  int err = avio_open2(&io, url.c_str(), AVIO_FLAG_READ, cancel ? &interrupt : nullptr, nullptr);
  if (err < 0) throw Error(url + ": cannot open: " + av_error_string(err));
  cookie_io_functions_t fns{};
  fns.read = [](void* c, char* buf, size_t n) -> ssize_t {
    int got = avio_read(static_cast<AVIOContext*>(c), reinterpret_cast<unsigned char*>(buf),
                        int(std::min<size_t>(n, 1 << 20)));
    if (got == AVERROR_EOF) return 0;
    if (got < 0) errno = EIO;
    return got < 0 ? -1 : got;
  };
  fns.close = [](void* c) -> int {
    auto* io = static_cast<AVIOContext*>(c);
    return avio_closep(&io);
  };
  FILE* f = fopencookie(io, "rb", fns);
  if (!f) {
    avio_closep(&io);
    throw Error(url + ": cannot open: out of memory");
  }
  return f;
}
#else
FILE* open_url(const std::string& url, const ReadCancel*) {
  throw Error(url + ": reading URLs needs a build with FFmpeg");
}
#endif

// A descriptor read through a stdio FILE whose reads wait in poll() on the descriptor and on
// the ReadCancel's eventfd together: a cancelled read fails with ECANCELED.
struct CancellableFd {
  int fd;
  bool own;  // close fd with the FILE (not stdin's)
  const ReadCancel* cancel;
};

FILE* open_cancellable(int fd, bool own, const ReadCancel* cancel) {
  cookie_io_functions_t fns{};
  fns.read = [](void* c, char* buf, size_t n) -> ssize_t {
    auto* k = static_cast<CancellableFd*>(c);
    for (;;) {
      if (k->cancel->cancelled()) {
        errno = ECANCELED;
        return -1;
      }
      pollfd p[2] = {{k->fd, POLLIN, 0}, {k->cancel->fd(), POLLIN, 0}};
      if (poll(p, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      if (p[1].revents) continue;  // cancelled: reported above
      ssize_t got = read(k->fd, buf, n);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      return got;
    }
  };
  fns.close = [](void* c) -> int {
    auto* k = static_cast<CancellableFd*>(c);
    int err = k->own ? close(k->fd) : 0;
    delete k;
    return err;
  };
  auto* k = new CancellableFd{fd, own, cancel};
  FILE* f = fopencookie(k, "rb", fns);
  if (!f) {
    delete k;
    if (own) close(fd);
    throw Error("cannot open: out of memory");
  }
  return f;
}

}  // namespace

FileSource::FileSource(const std::string& path, const ReadCancel* cancel) {
  if (path == "-") {
    if (cancel) {
      f_ = open_cancellable(STDIN_FILENO, false, cancel);
      own_ = true;
    } else {
      f_ = stdin;
    }
    return;
  }
  if (path.find("://") != std::string::npos) {
    f_ = open_url(path, cancel);
    own_ = true;
    return;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw Error(path + ": no such file");
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory");
  if (cancel && !S_ISREG(st.st_mode)) {  // a FIFO, a device: reads may wait indefinitely
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    f_ = open_cancellable(fd, true, cancel);
    own_ = true;
    return;
  }
  f_ = std::fopen(path.c_str(), "rb");
  if (!f_) throw Error(path + ": cannot open: " + std::strerror(errno));
  own_ = true;
  if (S_ISREG(st.st_mode)) size_ = uint64_t(st.st_size);
}

FileSource::~FileSource() {
  if (own_) std::fclose(f_);
}

}  // namespace nerv
