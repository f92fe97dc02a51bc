// Cancels reads that wait on a pipe: a FileSource opened with a ReadCancel polls its input
// together with the ReadCancel's eventfd, so that another thread can end a read that would
// otherwise wait for a writer indefinitely.
#pragma once
#include <atomic>

namespace nerv {

class ReadCancel {
 public:
  ReadCancel();
  ~ReadCancel();
  ReadCancel(const ReadCancel&) = delete;
  ReadCancel& operator=(const ReadCancel&) = delete;

  // Wakes every read waiting on this and makes later ones fail at once (errno ECANCELED),
  // until reset().
  void cancel();
  void reset();
  bool cancelled() const { return cancelled_; }
  int fd() const { return fd_; }  // readable while cancelled

 private:
  int fd_ = -1;
  std::atomic<bool> cancelled_{false};
};

}  // namespace nerv
