#include "io/file_sink.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace nerv {

FileSink::FileSink(const std::string& path) : out_(path) {
  if (path == "-") {
    f_ = stdout;
    return;
  }
  if (is_stream_target(path)) throw Error(path + ": only a file or '-' can be written here");
  f_ = std::fopen(out_.write_path().c_str(), "wb");
  if (!f_) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
  // Only a regular file can be rewritten in place: a FIFO, a terminal or /dev/stdout on a pipe
  // opens like a file but cannot seek.
  struct stat st {};
  seekable_ = fstat(fileno(f_), &st) == 0 && S_ISREG(st.st_mode);
}

FileSink::FileSink(const std::string& path, const std::string& partial_path, uint64_t keep_bytes)
    : out_(path, partial_path) {  // kept on failure until the lock says the file is ours
  auto fail = [&](int fd, const std::string& what) {
    if (fd >= 0) close(fd);
    return Error(partial_path + ": " + what);
  };
  // A file to continue must exist: never create an empty one in its place.
  int fd = open(partial_path.c_str(), O_RDWR | O_CLOEXEC | (keep_bytes ? 0 : O_CREAT), 0666);
  if (fd < 0) throw fail(fd, std::string("cannot open for writing: ") + std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) throw fail(fd, "another nervc is writing this output");
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw fail(fd, "not a regular file");
  if (uint64_t(st.st_size) < keep_bytes)
    throw fail(fd, "shorter than its checkpoint says (" + std::to_string(st.st_size) + " < " +
                       std::to_string(keep_bytes) + " bytes)");
  if (ftruncate(fd, off_t(keep_bytes)) != 0 || lseek(fd, off_t(keep_bytes), SEEK_SET) < 0 ||
      !(f_ = fdopen(fd, "r+b")))
    throw fail(fd, std::string("cannot truncate: ") + std::strerror(errno));
  if (!keep_bytes) out_.remove_on_failure();  // a new file, ours: nothing to keep yet
  seekable_ = true;
  locked_ = true;
  pos_ = keep_bytes;
}

void FileSink::sync() {
  if (std::fflush(f_) != 0 || (f_ != stdout && seekable_ && fsync(fileno(f_)) != 0))
    throw Error(out_.final_path() + ": write error: " + std::strerror(errno));
}

FileSink::~FileSink() {
  if (f_ && f_ != stdout) std::fclose(f_);
}

void FileSink::write(const void* data, size_t n) {
  if (n && std::fwrite(data, 1, n, f_) != n)
    throw Error(out_.final_path() + ": write error: " + std::strerror(errno));
  if (f_ == stdout && std::fflush(f_) != 0)  // a reader at the other end gets whole chunks now
    throw Error("stdout: write error: " + std::string(std::strerror(errno)));
  pos_ += n;
}

void FileSink::patch(uint64_t offset, const std::vector<uint8_t>& bytes) {
  if (!seekable_) throw Error("cannot rewrite a stream that is not a file");
  if (std::fseek(f_, long(offset), SEEK_SET) != 0 ||
      std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size() ||
      std::fseek(f_, 0, SEEK_END) != 0)
    throw Error(out_.final_path() + ": write error: " + std::strerror(errno));
}

void FileSink::commit() {
  if (f_ == stdout) {
    if (std::fflush(stdout) != 0) throw Error("stdout: write error");
    return;
  }
  if (locked_) {  // durable, and renamed while the lock still holds off a second writer
    sync();
    out_.commit();
    sync_dir_of(out_.final_path());
  }
  int err = std::fclose(f_);
  f_ = nullptr;
  if (err != 0) throw Error(out_.final_path() + ": write error: " + std::strerror(errno));
  if (!locked_) out_.commit();
}

}  // namespace nerv
