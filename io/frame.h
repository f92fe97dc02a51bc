// The frame type every part of nervc shares: 8-bit planar pixels plus the colour metadata
// needed to interpret them. Planes are tightly packed (stride == plane width).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace nerv {

// RGBP: three planes in R, G, B order; GRAY: one plane (planes 1 and 2 are empty).
enum class PixFmt { YUV420P, YUV444P, RGBP, GRAY };
enum class ColorMatrix { BT601, BT709 };
enum class ColorRange { Limited, Full };

struct Rational {
  int num = 0;
  int den = 1;
  double value() const { return den ? double(num) / den : 0.0; }
  bool valid() const { return num > 0 && den > 0; }
};

struct Frame {
  int width = 0;
  int height = 0;
  PixFmt fmt = PixFmt::YUV420P;
  ColorMatrix matrix = ColorMatrix::BT601;
  ColorRange range = ColorRange::Limited;
  int64_t index = 0;  // position in the source, counted from its first frame
  std::array<std::vector<uint8_t>, 3> planes;

  // Sizes the planes for (w, h, fmt); keeps the allocation when the size does not change.
  void resize(int w, int h, PixFmt f);
  int plane_count() const { return fmt == PixFmt::GRAY ? 1 : 3; }
  int plane_width(int p) const;
  int plane_height(int p) const;
  size_t plane_size(int p) const { return size_t(plane_width(p)) * plane_height(p); }
};

// What a reader learned about its source.
struct VideoInfo {
  std::string url;
  std::string container;         // demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;             // decoder name, e.g. "h264"
  std::string src_pix_fmt;       // pixel format as decoded, e.g. "yuv420p"
  PixFmt fmt = PixFmt::YUV420P;  // of the frames read or to be written
  // What the conversion to 8-bit frames drops or changes in the source, as decoded.
  int src_bits = 8;        // bits per sample
  bool src_alpha = false;  // an alpha channel
  bool src_grey = false;   // one plane of grey
  int width = 0;
  int height = 0;
  Rational fps;
  Rational time_base;
  ColorMatrix matrix = ColorMatrix::BT601;
  ColorRange range = ColorRange::Limited;
  bool matrix_guessed = false;  // the source did not say; chosen from the frame height
  int64_t frames = -1;          // frame count if the container states it, else -1
  double duration_s = -1;
};

const char* to_string(PixFmt f);
const char* to_string(ColorMatrix m);
const char* to_string(ColorRange r);

// Planar float copy in [0, 1], C x H x W, for handing a frame to a network.
std::vector<float> to_float_chw(const Frame& f);

}  // namespace nerv
