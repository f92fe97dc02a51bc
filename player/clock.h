// The time source of playback, injectable so pacing is tested without sleeping.
#pragma once
#include <chrono>
#include <thread>

namespace nerv {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual double now() = 0;                // seconds, monotonic
  virtual void sleep_until(double t) = 0;  // returns at once if t has passed
};

class SteadyClock final : public Clock {
 public:
  double now() override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void sleep_until(double t) override {
    double d = t - now();
    if (d > 0) std::this_thread::sleep_for(std::chrono::duration<double>(d));
  }
};

}  // namespace nerv
