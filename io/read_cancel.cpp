#include "io/read_cancel.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "base/error.h"

namespace nerv {

ReadCancel::ReadCancel() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0) throw Error(std::string("eventfd: ") + std::strerror(errno));
}

ReadCancel::~ReadCancel() {
  close(fd_);
}

void ReadCancel::cancel() {
  cancelled_ = true;
  uint64_t one = 1;
  while (write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void ReadCancel::reset() {
  uint64_t count;
  while (read(fd_, &count, sizeof count) < 0 && errno == EINTR) {
  }
  cancelled_ = false;
}

}  // namespace nerv
