// Quality metrics, per frame and averaged: PSNR of Y, U, V, the 6:1:1 YUV combination, RGB
// PSNR, and MS-SSIM (or SSIM for frames too small for five scales). Conventions: docs/metrics.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/frame.h"

namespace nerv {

// 10*log10(255^2 / mse); +infinity when mse == 0 (identical).
double psnr_from_mse(double mse);
double plane_mse(const uint8_t* a, const uint8_t* b, size_t n);
// (6*Y + U + V) / 8, the learned-codec convention.
double psnr_yuv611(double y, double u, double v);

// MS-SSIM (Wang 2003) needs the short side > 160 pixels; below that use ssim(), which needs
// 11x11 (ssim_defined).
bool msssim_defined(int w, int h);
bool ssim_defined(int w, int h);
double msssim(const uint8_t* a, const uint8_t* b, int w, int h);
double ssim(const uint8_t* a, const uint8_t* b, int w, int h);

struct FrameMetrics {
  int64_t index = 0;
  double psnr_y = 0, psnr_u = 0, psnr_v = 0, psnr_yuv = 0, psnr_rgb = 0;
  double ssim = 0;  // MS-SSIM or SSIM of luma (see MetricsSummary::ssim_kind); NaN if "none"
};

struct MetricsSummary {
  int64_t frames = 0;
  int width = 0, height = 0;
  std::string ssim_kind;   // "ms-ssim", "ssim", or "none" for frames under 11x11
  std::string rgb_matrix;  // e.g. "bt601 limited"
  bool identical = false;  // every frame bit-identical
  FrameMetrics mean;       // arithmetic means of the per-frame values
  std::vector<FrameMetrics> per_frame;
};

class Converter;  // RGB conversion; absent in builds without FFmpeg

// Scores pairs of frames, given in index order, and keeps the per-frame values. Two yuv420p
// frames, or two planar RGB frames (still images): then RGB-PSNR is over the three planes,
// MS-SSIM the mean of R's, G's and B's, and Y, U, V those of BT.601 full-range YCbCr.
class MetricsAccumulator {
 public:
  MetricsAccumulator();
  ~MetricsAccumulator();
  // Throws nerv::Error if the sizes or formats differ.
  const FrameMetrics& add(const Frame& ref, const Frame& dist);
  MetricsSummary summary() const;

 private:
  void add_yuv(const Frame& ref, const Frame& dist, FrameMetrics& m);
  void add_grey(const Frame& ref, const Frame& dist, FrameMetrics& m);
  void add_rgb(const Frame& ref, const Frame& dist, FrameMetrics& m);
  std::unique_ptr<Converter> conv_;
  Frame conv_ref_, conv_dist_;
  std::vector<FrameMetrics> frames_;
  bool identical_ = true;
  int width_ = 0, height_ = 0;
  std::string rgb_matrix_;
};

}  // namespace nerv
