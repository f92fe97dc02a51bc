#include "io/file_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/error.h"

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
FILE* open_url(const std::string& url) {
  AVIOContext* io = nullptr;
  int err = avio_open(&io, url.c_str(), AVIO_FLAG_READ);
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
FILE* open_url(const std::string& url) {
  throw Error(url + ": reading URLs needs a build with FFmpeg");
}
#endif

}  // namespace

FileSource::FileSource(const std::string& path) {
  if (path == "-") {
    f_ = stdin;
    return;
  }
  if (path.find("://") != std::string::npos) {
    f_ = open_url(path);
    own_ = true;
    return;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw Error(path + ": no such file");
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory");
  f_ = std::fopen(path.c_str(), "rb");
  if (!f_) throw Error(path + ": cannot open: " + std::strerror(errno));
  own_ = true;
  if (S_ISREG(st.st_mode)) size_ = uint64_t(st.st_size);
}

FileSource::~FileSource() {
  if (own_) std::fclose(f_);
}

}  // namespace nerv
