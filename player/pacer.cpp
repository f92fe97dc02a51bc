#include "player/pacer.h"

namespace nerv {

Pacer::Pacer(Clock& clock, double fps, bool allow_drop)
    : clock_(clock), period_(fps > 0 ? 1.0 / fps : 1.0 / 25), allow_drop_(allow_drop) {}

Pacer::Action Pacer::wait(uint64_t pos, bool newer_ready) {
  double now = clock_.now();
  if (!started_ || pos < start_pos_) {
    started_ = true;
    start_time_ = now;
    start_pos_ = pos;
    last_shown_ = now;
  }
  double due = start_time_ + double(pos - start_pos_) * period_;
  bool starving = now - last_shown_ > 0.5;
  if (allow_drop_ && newer_ready && now > due + period_ && !starving) {
    ++dropped_;
    return Action::Drop;
  }
  clock_.sleep_until(due);
  last_shown_ = clock_.now();
  // Shown late: the schedule restarts from this frame, so a decoder a little slower than real
  // time shows most frames a little late instead of dropping nearly all of them.
  if (now > due + period_) {
    start_time_ = last_shown_;
    start_pos_ = pos;
  }
  ++shown_;
  return Action::Show;
}

void Pacer::restart() {
  started_ = false;
}

void Pacer::pause() {
  if (paused_) return;
  paused_ = true;
  paused_at_ = clock_.now();
}

void Pacer::resume() {
  if (!paused_) return;
  paused_ = false;
  double gap = clock_.now() - paused_at_;
  start_time_ += gap;  // the schedule moves on by the pause
  last_shown_ += gap;
}

}  // namespace nerv
