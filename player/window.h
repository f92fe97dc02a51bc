// The playback window (OpenCV highgui): shows frames with a status line and reports keys.
// Absent from builds without OpenCV or FFmpeg; open_window() then says so.
#pragma once
#include <memory>
#include <string>

#include "io/frame.h"

namespace nerv {

class Window {
 public:
  enum class Key { None, Pause, Prev, Next, Quit };
  virtual ~Window() = default;
  virtual void show(const Frame& f, const std::string& status) = 0;
  // Handles window events for up to `wait_ms` (at least 1) and returns the key pressed, if
  // any; Quit also when the window was closed.
  virtual Key poll(int wait_ms) = 0;
};

// True when this build can open windows and the X display ($DISPLAY) answers.
bool window_available();
// Throws nerv::Error when !window_available().
std::unique_ptr<Window> open_window(const std::string& title, int width, int height);

}  // namespace nerv
