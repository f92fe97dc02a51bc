#include "io/convert.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include "base/error.h"
#include "io/ffmpeg_util.h"
#include "io/sws_bridge.h"

namespace nerv {

// Bicubic chroma resampling with full-resolution chroma interpolation and accurate rounding:
// the most faithful swscale path, and bit-exact across machines.
static constexpr int kSwsFlags =
    SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_BITEXACT;

// RGB and grey frames carry their values as they are (full range); YUV frames say.
static bool full_range(PixFmt f, ColorRange r) {
  return f == PixFmt::RGBP || f == PixFmt::GRAY || r == ColorRange::Full;
}

void sws_into_frame(SwsContext** ctx, const uint8_t* const src[4], const int src_stride[4],
                    AVPixelFormat src_fmt, bool src_full, Frame& dst) {
  AVPixelFormat dst_fmt = to_av(dst.fmt);
  *ctx = sws_getCachedContext(*ctx, dst.width, dst.height, src_fmt, dst.width, dst.height, dst_fmt,
                              kSwsFlags, nullptr, nullptr, nullptr);
  if (!*ctx)
    throw Error("libswscale cannot convert this pixel format to " +
                std::string(to_string(dst.fmt)));
  const int* coeffs = sws_getCoefficients(sws_colorspace(dst.matrix));
  bool dst_full = full_range(dst.fmt, dst.range);
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

void frame_planes(const Frame& f, const uint8_t* p[4], int stride[4]) {
  const bool rgb = f.fmt == PixFmt::RGBP;
  const int order[3] = {rgb ? 1 : 0, rgb ? 2 : 1, rgb ? 0 : 2};
  for (int i = 0; i < 3; ++i) {
    bool used = order[i] < f.plane_count();
    p[i] = used ? f.planes[size_t(order[i])].data() : nullptr;
    stride[i] = f.plane_width(order[i]);
  }
  p[3] = nullptr;
  stride[3] = 0;
}

void frame_into_av(SwsContext** ctx, const Frame& f, AVFrame* dst, ColorMatrix matrix,
                   bool yuv_full) {
  const uint8_t* src[4];
  int stride[4];
  frame_planes(f, src, stride);
  AVPixelFormat to = AVPixelFormat(dst->format);
  if (to == to_av(f.fmt)) {  // a copy: the lossless paths stay bit exact
    for (int p = 0; p < f.plane_count(); ++p) {
      int h = p > 0 && f.fmt == PixFmt::YUV420P ? f.plane_height(1) : f.height;
      av_image_copy_plane(dst->data[p], dst->linesize[p], src[p], stride[p], stride[p], h);
    }
    return;
  }
  *ctx = sws_getCachedContext(*ctx, f.width, f.height, to_av(f.fmt), f.width, f.height, to,
                              kSwsFlags, nullptr, nullptr, nullptr);
  if (!*ctx) throw Error("libswscale cannot convert " + std::string(to_string(f.fmt)) + " frames");
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(to);
  bool src_full = full_range(f.fmt, f.range);
  bool dst_full = (d && (d->flags & AV_PIX_FMT_FLAG_RGB)) || yuv_full;
  const int* coeffs = sws_getCoefficients(sws_colorspace(matrix));
  sws_setColorspaceDetails(*ctx, coeffs, src_full, coeffs, dst_full, 0, 1 << 16, 1 << 16);
  sws_scale(*ctx, src, stride, 0, f.height, dst->data, dst->linesize);
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
  const uint8_t* in[4];
  int in_stride[4];
  frame_planes(src, in, in_stride);
  sws_into_frame(&ctx_, in, in_stride, to_av(src.fmt), full_range(src.fmt, src.range), dst);
}

}  // namespace nerv
