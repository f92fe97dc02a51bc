#include "io/metrics.h"

#include <cmath>
#include <limits>
#include <string>

#if NERV_HAVE_FFMPEG
#include "io/convert.h"
#else
namespace nerv {
class Converter {};  // nothing to convert with: RGB PSNR is not reported
}  // namespace nerv
#endif
#include "base/error.h"

namespace nerv {

#if NERV_HAVE_FFMPEG
MetricsAccumulator::MetricsAccumulator() : conv_(std::make_unique<Converter>()) {}
#else
MetricsAccumulator::MetricsAccumulator() = default;  // no swscale: no RGB PSNR
#endif
MetricsAccumulator::~MetricsAccumulator() = default;

namespace {
// MS-SSIM (or SSIM, or NaN where neither is defined) of one plane pair.
double plane_ssim(const uint8_t* a, const uint8_t* b, int w, int h) {
  if (msssim_defined(w, h)) return msssim(a, b, w, h);
  if (ssim_defined(w, h)) return ssim(a, b, w, h);
  return std::nan("");
}
}  // namespace

void MetricsAccumulator::add_yuv(const Frame& ref, const Frame& dist, FrameMetrics& m) {
  double mse[3];
  for (int p = 0; p < 3; ++p) {
    mse[p] = plane_mse(ref.planes[p].data(), dist.planes[p].data(), ref.plane_size(p));
    if (mse[p] > 0) identical_ = false;
  }
  m.psnr_y = psnr_from_mse(mse[0]);
  m.psnr_u = psnr_from_mse(mse[1]);
  m.psnr_v = psnr_from_mse(mse[2]);
  m.psnr_yuv = psnr_yuv611(m.psnr_y, m.psnr_u, m.psnr_v);

  // RGB through the reference's matrix and range, for both frames alike.
#if NERV_HAVE_FFMPEG
  Frame dist_as_ref = dist;
  dist_as_ref.matrix = ref.matrix;
  dist_as_ref.range = ref.range;
  conv_->convert(ref, PixFmt::RGBP, conv_ref_);
  conv_->convert(dist_as_ref, PixFmt::RGBP, conv_dist_);
  double rgb_mse = 0;
  for (int p = 0; p < 3; ++p)
    rgb_mse +=
        plane_mse(conv_ref_.planes[p].data(), conv_dist_.planes[p].data(), conv_ref_.plane_size(p));
  m.psnr_rgb = psnr_from_mse(rgb_mse / 3);
  rgb_matrix_ = std::string(to_string(ref.matrix)) + " " + to_string(ref.range);
#else
  m.psnr_rgb = std::nan("");
  rgb_matrix_ = "n/a: built without FFmpeg";
#endif
  m.ssim = plane_ssim(ref.planes[0].data(), dist.planes[0].data(), ref.width, ref.height);
}

void MetricsAccumulator::add_rgb(const Frame& ref, const Frame& dist, FrameMetrics& m) {
  double rgb_mse = 0, ssim_sum = 0;
  for (int p = 0; p < 3; ++p) {
    double e = plane_mse(ref.planes[p].data(), dist.planes[p].data(), ref.plane_size(p));
    if (e > 0) identical_ = false;
    rgb_mse += e;
    ssim_sum += plane_ssim(ref.planes[p].data(), dist.planes[p].data(), ref.width, ref.height);
  }
  m.psnr_rgb = psnr_from_mse(rgb_mse / 3);
  m.ssim = ssim_sum / 3;  // the mean over R, G and B (the learned-image-codec convention)
  rgb_matrix_ = "rgb";
  // Y, U, V: both frames through BT.601 full range (JPEG's YCbCr).
#if NERV_HAVE_FFMPEG
  Frame r = ref, d = dist;
  r.matrix = d.matrix = ColorMatrix::BT601;
  r.range = d.range = ColorRange::Full;
  conv_->convert(r, PixFmt::YUV444P, conv_ref_);
  conv_->convert(d, PixFmt::YUV444P, conv_dist_);
  double mse[3];
  for (int p = 0; p < 3; ++p)
    mse[p] =
        plane_mse(conv_ref_.planes[p].data(), conv_dist_.planes[p].data(), conv_ref_.plane_size(p));
  m.psnr_y = psnr_from_mse(mse[0]);
  m.psnr_u = psnr_from_mse(mse[1]);
  m.psnr_v = psnr_from_mse(mse[2]);
  m.psnr_yuv = psnr_yuv611(m.psnr_y, m.psnr_u, m.psnr_v);
#else
  m.psnr_y = m.psnr_u = m.psnr_v = m.psnr_yuv = std::nan("");
#endif
}

// One plane: R = G = B = Y, and no chroma to get wrong.
void MetricsAccumulator::add_grey(const Frame& ref, const Frame& dist, FrameMetrics& m) {
  double e = plane_mse(ref.planes[0].data(), dist.planes[0].data(), ref.plane_size(0));
  if (e > 0) identical_ = false;
  m.psnr_y = m.psnr_rgb = m.psnr_yuv = psnr_from_mse(e);
  m.psnr_u = m.psnr_v = std::numeric_limits<double>::infinity();
  m.ssim = plane_ssim(ref.planes[0].data(), dist.planes[0].data(), ref.width, ref.height);
  rgb_matrix_ = "gray";
}

const FrameMetrics& MetricsAccumulator::add(const Frame& ref, const Frame& dist) {
  if (ref.width != dist.width || ref.height != dist.height)
    throw Error("frame " + std::to_string(frames_.size()) + ": size mismatch, " +
                std::to_string(ref.width) + "x" + std::to_string(ref.height) + " vs " +
                std::to_string(dist.width) + "x" + std::to_string(dist.height));
  if (ref.fmt != dist.fmt || ref.fmt == PixFmt::YUV444P)
    throw Error("metrics compare two yuv420p, two rgb or two gray frames");
  width_ = ref.width;
  height_ = ref.height;
  FrameMetrics m;
  m.index = int64_t(frames_.size());
  if (ref.fmt == PixFmt::RGBP) {
    add_rgb(ref, dist, m);
  } else if (ref.fmt == PixFmt::GRAY) {
    add_grey(ref, dist, m);
  } else {
    add_yuv(ref, dist, m);
  }
  frames_.push_back(m);
  return frames_.back();
}

MetricsSummary MetricsAccumulator::summary() const {
  MetricsSummary s;
  s.frames = int64_t(frames_.size());
  s.width = width_;
  s.height = height_;
  s.ssim_kind = msssim_defined(width_, height_) ? "ms-ssim"
                : ssim_defined(width_, height_) ? "ssim"
                                                : "none";
  s.rgb_matrix = rgb_matrix_;
  s.identical = identical_ && !frames_.empty();
  s.per_frame = frames_;
  if (frames_.empty()) return s;
  for (const FrameMetrics& f : frames_) {
    s.mean.psnr_y += f.psnr_y;
    s.mean.psnr_u += f.psnr_u;
    s.mean.psnr_v += f.psnr_v;
    s.mean.psnr_yuv += f.psnr_yuv;
    s.mean.psnr_rgb += f.psnr_rgb;
    s.mean.ssim += f.ssim;
  }
  double n = double(frames_.size());
  s.mean.psnr_y /= n;
  s.mean.psnr_u /= n;
  s.mean.psnr_v /= n;
  s.mean.psnr_yuv /= n;
  s.mean.psnr_rgb /= n;
  s.mean.ssim /= n;
  return s;
}

}  // namespace nerv
