#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/highgui.hpp>
#include <opencv2/imgproc.hpp>

#include "io/convert.h"
#include "io/error.h"
#include "player/window.h"

namespace nerv {
namespace {

class CvWindow final : public Window {
 public:
  CvWindow(const std::string& title, int w, int h) : title_(title) {
    cv::namedWindow(title_, cv::WINDOW_AUTOSIZE | cv::WINDOW_GUI_NORMAL);  // no Qt toolbar
    bgr_.create(h, w, CV_8UC3);
  }
  ~CvWindow() override { cv::destroyWindow(title_); }

  void show(const Frame& f, const std::string& status) override {
    // swscale does the YUV -> RGB step with the stream's own matrix and range.
    conv_.convert(f, PixFmt::RGBP, rgb_);
    int w = rgb_.width, h = rgb_.height;
    if (bgr_.cols != w || bgr_.rows != h) bgr_.create(h, w, CV_8UC3);
    const uint8_t* r = rgb_.planes[0].data();
    const uint8_t* g = rgb_.planes[1].data();
    const uint8_t* b = rgb_.planes[2].data();
    for (int y = 0; y < h; ++y) {
      uint8_t* row = bgr_.ptr<uint8_t>(y);
      for (int x = 0, i = y * w; x < w; ++x, ++i) {
        row[3 * x] = b[i];
        row[3 * x + 1] = g[i];
        row[3 * x + 2] = r[i];
      }
    }
    if (!status.empty()) {
      double scale = std::max(0.35, w / 1600.0);
      int base = 0;
      cv::Size sz = cv::getTextSize(status, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &base);
      cv::rectangle(bgr_, {0, 0, sz.width + 12, sz.height + base + 10}, cv::Scalar(0, 0, 0),
                    cv::FILLED);
      cv::putText(bgr_, status, {6, sz.height + 5}, cv::FONT_HERSHEY_SIMPLEX, scale,
                  cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
    }
    cv::imshow(title_, bgr_);
  }

  Key poll(int wait_ms) override {
    int k = cv::waitKeyEx(std::max(1, wait_ms));
    if (cv::getWindowProperty(title_, cv::WND_PROP_VISIBLE) < 1) return Key::Quit;
    switch (k) {
      case ' ':
        return Key::Pause;
      case 'q':
      case 'Q':
      case 27:
        return Key::Quit;
      case 65361:
      case 0x1000012:
      case 2424832:
        return Key::Prev;  // left (GTK, Qt, Win32)
      case 65363:
      case 0x1000014:
      case 2555904:
        return Key::Next;  // right
      default:
        return Key::None;
    }
  }

 private:
  std::string title_;
  Converter conv_;
  Frame rgb_;
  cv::Mat bgr_;
};

}  // namespace

bool window_available() {
  return std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
}

std::unique_ptr<Window> open_window(const std::string& title, int width, int height) {
  if (!window_available()) throw Error("no display (DISPLAY is not set); use --no-display");
  return std::make_unique<CvWindow>(title, width, height);
}

}  // namespace nerv
