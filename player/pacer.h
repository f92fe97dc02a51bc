// Frame pacing against a monotonic clock: frame n of a run is due at start + n / fps. A frame is
// shown when due; one more than a frame period late is dropped when dropping is allowed and a
// newer frame is already waiting (dropping then catches up; without a newer frame it would only
// leave a gap), except that a frame is always shown if nothing was shown for half a second.
// A frame shown late restarts the schedule from itself.
// Frames are never reordered: the caller hands them in order.
#pragma once
#include <cstdint>

#include "player/clock.h"

namespace nerv {

class Pacer {
 public:
  enum class Action { Show, Drop };
  Pacer(Clock& clock, double fps, bool allow_drop);

  // Waits (through the clock) until the frame at `pos` frames into the run is due.
  // `newer_ready`: the frame after it has been decoded already.
  Action wait(uint64_t pos, bool newer_ready = false);
  // Starts a new run: the next frame, whatever its position, is due at once (after a seek).
  void restart();
  void pause();
  void resume();
  bool paused() const { return paused_; }

  uint64_t shown() const { return shown_; }
  uint64_t dropped() const { return dropped_; }

 private:
  Clock& clock_;
  double period_;
  bool allow_drop_;
  bool started_ = false, paused_ = false;
  double start_time_ = 0, paused_at_ = 0, last_shown_ = 0;
  uint64_t start_pos_ = 0;
  uint64_t shown_ = 0, dropped_ = 0;
};

}  // namespace nerv
