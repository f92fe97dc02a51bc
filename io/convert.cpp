#include "io/convert.h"

extern "C" {
#include <libswscale/swscale.h>
}

#include "io/error.h"
#include "io/ffmpeg_util.h"
#include "io/sws_bridge.h"

namespace nerv {

// Bicubic chroma resampling with full-resolution chroma interpolation and accurate rounding:
// the most faithful swscale path, and bit-exact across machines.
static constexpr int kSwsFlags =
    SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_BITEXACT;

void sws_into_frame(SwsContext** ctx, const uint8_t* const src[4], const int src_stride[4],
                    AVPixelFormat src_fmt, bool src_full, Frame& dst) {
  AVPixelFormat dst_fmt = to_av(dst.fmt);
  *ctx = sws_getCachedContext(*ctx, dst.width, dst.height, src_fmt, dst.width, dst.height, dst_fmt,
                              kSwsFlags, nullptr, nullptr, nullptr);
  if (!*ctx)
    throw Error("libswscale cannot convert this pixel format to " +
                std::string(to_string(dst.fmt)));
  const int* coeffs = sws_getCoefficients(sws_colorspace(dst.matrix));
  bool dst_full = dst.fmt == PixFmt::RGBP || dst.range == ColorRange::Full;
  sws_setColorspaceDetails(*ctx, coeffs, src_full ? 1 : 0, coeffs, dst_full ? 1 : 0, 0, 1 << 16,
                           1 << 16);
  uint8_t* out[4] = {dst.planes[0].data(), dst.planes[1].data(), dst.planes[2].data(), nullptr};
  if (dst.fmt == PixFmt::RGBP) {  // FFmpeg's planar RGB is G, B, R
    out[0] = dst.planes[1].data();
    out[1] = dst.planes[2].data();
    out[2] = dst.planes[0].data();
  }
  int out_stride[4] = {dst.plane_width(0), dst.plane_width(1), dst.plane_width(2), 0};
  sws_scale(*ctx, src, src_stride, 0, dst.height, out, out_stride);
}

Converter::~Converter() {
  sws_freeContext(ctx_);
}

void Converter::convert(const Frame& src, PixFmt to, Frame& dst) {
  dst.matrix = src.matrix;
  dst.range = src.range;
  dst.index = src.index;
  dst.resize(src.width, src.height, to);
  if (src.fmt == to) {
    dst.planes = src.planes;
    return;
  }
  const uint8_t* in[4] = {src.planes[0].data(), src.planes[1].data(), src.planes[2].data(),
                          nullptr};
  if (src.fmt == PixFmt::RGBP) {
    in[0] = src.planes[1].data();
    in[1] = src.planes[2].data();
    in[2] = src.planes[0].data();
  }
  int in_stride[4] = {src.plane_width(0), src.plane_width(1), src.plane_width(2), 0};
  sws_into_frame(&ctx_, in, in_stride, to_av(src.fmt), src.range == ColorRange::Full, dst);
}

}  // namespace nerv
