#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/highgui.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "base/error.h"
#include "io/convert.h"
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

// OpenCV's Qt backend aborts the process when it cannot reach the display, so reachability is
// checked first: DISPLAY=[host]:N[.S] is the socket /tmp/.X11-unix/XN, or TCP port 6000+N.
bool window_available() {
  const char* d = std::getenv("DISPLAY");
  if (!d || !*d) return false;
  std::string s(d);
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = s.substr(0, colon);
  int n = std::atoi(s.c_str() + colon + 1);
  int fd = -1;
  bool ok = false;
  if (host.empty() || host == "unix") {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "/tmp/.X11-unix/X%d", n);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  } else {
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host.c_str(), std::to_string(6000 + n).c_str(), &hints, &res) == 0) {
      fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
      ok = fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0;
      freeaddrinfo(res);
    }
  }
  if (fd >= 0) close(fd);
  return ok;
}

std::unique_ptr<Window> open_window(const std::string& title, int width, int height) {
  if (!window_available()) throw Error("no usable display (DISPLAY); use --no-display");
  return std::make_unique<CvWindow>(title, width, height);
}

}  // namespace nerv
