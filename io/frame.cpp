#include "io/frame.h"

#include "base/error.h"

namespace nerv {

void Frame::resize(int w, int h, PixFmt f) {
  width = w;
  height = h;
  fmt = f;
  for (int p = 0; p < 3; ++p) planes[p].resize(plane_size(p));
}

int Frame::plane_width(int p) const {
  if (p >= plane_count()) return 0;
  return (p > 0 && fmt == PixFmt::YUV420P) ? (width + 1) / 2 : width;
}

int Frame::plane_height(int p) const {
  if (p >= plane_count()) return 0;
  return (p > 0 && fmt == PixFmt::YUV420P) ? (height + 1) / 2 : height;
}

const char* to_string(PixFmt f) {
  switch (f) {
    case PixFmt::YUV420P:
      return "yuv420p";
    case PixFmt::YUV444P:
      return "yuv444p";
    case PixFmt::RGBP:
      return "rgb";
    case PixFmt::GRAY:
      return "gray";
  }
  return "?";
}

const char* to_string(ColorMatrix m) {
  return m == ColorMatrix::BT709 ? "bt709" : "bt601";
}
const char* to_string(ColorRange r) {
  return r == ColorRange::Full ? "full" : "limited";
}

std::vector<float> to_float_chw(const Frame& f) {
  if (f.fmt == PixFmt::YUV420P || f.fmt == PixFmt::GRAY)
    throw Error("to_float_chw needs a 4:4:4 or RGB frame");
  std::vector<float> out(3 * f.plane_size(0));
  float* dst = out.data();
  for (int p = 0; p < 3; ++p)
    for (uint8_t v : f.planes[p]) *dst++ = v * (1.0f / 255.0f);
  return out;
}

}  // namespace nerv
