// Builds without OpenCV or FFmpeg: playback is headless only.
#include "base/error.h"
#include "player/window.h"

namespace nerv {

bool window_available() {
  return false;
}

std::unique_ptr<Window> open_window(const std::string&, int, int) {
  throw Error("this nervc was built without a window (needs OpenCV and FFmpeg); use --no-display");
}

}  // namespace nerv
