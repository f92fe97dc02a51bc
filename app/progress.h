// Encoder progress on stderr: on a terminal one line that updates in place (segment, epoch,
// PSNR, elapsed, ETA) and a line per finished segment; otherwise plain lines every few seconds.
#pragma once
#include <chrono>

#include "codec/encoder.h"

namespace nerv::app {

class EncodeProgress {
 public:
  EncodeProgress(const TrainConfig& t, bool quiet);
  void operator()(const EncodeEvent& e);

 private:
  double units_of(uint32_t segment) const;
  double elapsed() const;

  TrainConfig train_;
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
  double done_units_ = 0;  // work of finished segments, in epochs
};

std::string format_duration(double seconds);

}  // namespace nerv::app
