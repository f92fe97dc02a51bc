#include "io/file_source.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "io/error.h"

namespace nerv {

FileSource::FileSource(const std::string& path) {
  if (path == "-") {
    f_ = stdin;
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
