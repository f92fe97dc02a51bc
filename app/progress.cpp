#include "app/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace nerv::app {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  long t = long(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

EncodeProgress::EncodeProgress(const TrainConfig& t, bool quiet)
    : train_(t), quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {
  start_ = last_print_ = std::chrono::steady_clock::now();
}

double EncodeProgress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double EncodeProgress::units_of(uint32_t segment) const {
  return double((segment == 0 ? train_.epochs : train_.warm_epochs) + train_.qat_epochs);
}

void EncodeProgress::operator()(const EncodeEvent& e) {
  if (quiet_) return;
  std::string total = e.segments_expected > 0 ? std::to_string(e.segments_expected) : "?";
  if (e.kind == EncodeEvent::SegmentDone) {
    done_units_ += units_of(e.segment);
    const SegmentReport& r = *e.done;
    std::fprintf(stderr, "%ssegment %u/%s  %-8s %3u frames  %8zu bytes  YUV-PSNR %6.2f dB  %s\n",
                 tty_ ? "\r\033[K" : "", e.segment + 1, total.c_str(),
                 r.type == SegmentType::Intra ? "intra" : "residual", r.frames, r.bytes, r.psnr_yuv,
                 format_duration(r.seconds).c_str());
    return;
  }
  if (e.kind != EncodeEvent::Progress) return;
  auto now = std::chrono::steady_clock::now();
  double since_print = std::chrono::duration<double>(now - last_print_).count();
  bool last_epoch = e.fit.epoch == e.fit.epochs;
  if (!tty_ && since_print < 10 && !last_epoch) return;
  if (tty_ && since_print < 0.2 && !last_epoch) return;
  last_print_ = now;

  double seg_done = std::string(e.fit.phase) == "qat"
                        ? (e.segment == 0 ? train_.epochs : train_.warm_epochs) + e.fit.epoch
                        : e.fit.epoch;
  double done = done_units_ + seg_done;
  std::string eta = "?";
  if (e.segments_expected > 0 && done > 0) {
    double all = 0;
    for (int64_t s = 0; s < e.segments_expected; ++s) all += units_of(uint32_t(s));
    eta = format_duration(elapsed() / done * (all - done));
  }
  std::fprintf(stderr, "%ssegment %u/%s  %s epoch %d/%d  PSNR %6.2f dB  elapsed %s  ETA %s%s",
               tty_ ? "\r\033[K" : "", e.segment + 1, total.c_str(), e.fit.phase, e.fit.epoch,
               e.fit.epochs, e.fit.psnr, format_duration(elapsed()).c_str(), eta.c_str(),
               tty_ ? "" : "\n");
  std::fflush(stderr);
}

}  // namespace nerv::app
