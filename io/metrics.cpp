#include "io/metrics.h"

#include <cmath>
#include <string>

#if NERV_HAVE_FFMPEG
#include "io/convert.h"
#else
namespace nerv {
class Converter {};  // nothing to convert with: RGB PSNR is not reported
}  // namespace nerv
#endif
#include "io/error.h"

namespace nerv {

#if NERV_HAVE_FFMPEG
MetricsAccumulator::MetricsAccumulator() : conv_(std::make_unique<Converter>()) {}
#else
MetricsAccumulator::MetricsAccumulator() = default;  // no swscale: no RGB PSNR
#endif
MetricsAccumulator::~MetricsAccumulator() = default;

const FrameMetrics& MetricsAccumulator::add(const Frame& ref, const Frame& dist) {
  if (ref.width != dist.width || ref.height != dist.height)
    throw Error("frame " + std::to_string(frames_.size()) + ": size mismatch, " +
                std::to_string(ref.width) + "x" + std::to_string(ref.height) + " vs " +
                std::to_string(dist.width) + "x" + std::to_string(dist.height));
  if (ref.fmt != PixFmt::YUV420P || dist.fmt != PixFmt::YUV420P)
    throw Error("metrics compare yuv420p frames");
  width_ = ref.width;
  height_ = ref.height;
  FrameMetrics m;
  m.index = int64_t(frames_.size());
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
  conv_->convert(ref, PixFmt::RGBP, rgb_ref_);
  conv_->convert(dist_as_ref, PixFmt::RGBP, rgb_dist_);
  double rgb_mse = 0;
  for (int p = 0; p < 3; ++p)
    rgb_mse +=
        plane_mse(rgb_ref_.planes[p].data(), rgb_dist_.planes[p].data(), rgb_ref_.plane_size(p));
  m.psnr_rgb = psnr_from_mse(rgb_mse / 3);
  rgb_matrix_ = std::string(to_string(ref.matrix)) + " " + to_string(ref.range);
#else
  m.psnr_rgb = std::nan("");
  rgb_matrix_ = "n/a: built without FFmpeg";
#endif

  const uint8_t* a = ref.planes[0].data();
  const uint8_t* b = dist.planes[0].data();
  if (msssim_defined(ref.width, ref.height))
    m.ssim = msssim(a, b, ref.width, ref.height);
  else if (ssim_defined(ref.width, ref.height))
    m.ssim = ssim(a, b, ref.width, ref.height);
  else
    m.ssim = std::nan("");
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
