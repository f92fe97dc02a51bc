// Metrics against hand-computed values and an independent MS-SSIM implementation
// (tests/data/msssim_reference.py, numpy/scipy).
#include "io/metrics.h"

#include <cmath>

#include "base/error.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

Frame grey(int w, int h, int value) {
  Frame f;
  f.resize(w, h, PixFmt::YUV420P);
  for (auto& p : f.planes) p.assign(p.size(), uint8_t(value));
  return f;
}

TEST(Psnr, HandComputed) {
  // 4x4 plane, one sample off by 10: MSE = 100/16 = 6.25, PSNR = 10 log10(65025/6.25).
  std::vector<uint8_t> a(16, 100), b(16, 100);
  b[3] = 110;
  EXPECT_DOUBLE_EQ(plane_mse(a.data(), b.data(), 16), 6.25);
  EXPECT_NEAR(psnr_from_mse(6.25), 40.17200343, 1e-8);
  EXPECT_TRUE(std::isinf(psnr_from_mse(0)));
  // Every sample off by 1: MSE 1 -> 48.1308 dB.
  EXPECT_NEAR(psnr_from_mse(1.0), 48.13080361, 1e-8);
  EXPECT_DOUBLE_EQ(psnr_yuv611(40, 48, 32), (6 * 40 + 48 + 32) / 8.0);
}

TEST(Psnr, AccumulatorPerPlaneAndAverage) {
  Frame ref = grey(8, 8, 100), dist = grey(8, 8, 100);
  dist.planes[0][0] = 116;  // Y: MSE 256/64 = 4
  dist.planes[1][0] = 108;  // U (4x4): MSE 64/16 = 4
  MetricsAccumulator acc;
  const FrameMetrics& m = acc.add(ref, dist);
  EXPECT_NEAR(m.psnr_y, 10 * std::log10(65025.0 / 4), 1e-9);
  EXPECT_NEAR(m.psnr_u, 10 * std::log10(65025.0 / 4), 1e-9);
  EXPECT_TRUE(std::isinf(m.psnr_v));
  acc.add(ref, ref);
  MetricsSummary s = acc.summary();
  EXPECT_EQ(s.frames, 2);
  EXPECT_FALSE(s.identical);
  EXPECT_EQ(s.ssim_kind, "none");  // 8x8 is too small even for one SSIM window
  EXPECT_TRUE(std::isnan(s.mean.ssim));
  MetricsAccumulator acc16;
  acc16.add(grey(16, 16, 100), grey(16, 16, 100));
  EXPECT_EQ(acc16.summary().ssim_kind, "ssim");
}

TEST(Psnr, IdenticalFramesAreInfinite) {
  auto frames = test::read_all(test::data("foreman_64x64_6f.y4m"));
  MetricsAccumulator acc;
  for (const Frame& f : frames) acc.add(f, f);
  MetricsSummary s = acc.summary();
  EXPECT_TRUE(s.identical);
  EXPECT_TRUE(std::isinf(s.mean.psnr_yuv));
#if NERV_HAVE_FFMPEG
  EXPECT_TRUE(std::isinf(s.mean.psnr_rgb));
#else
  EXPECT_TRUE(std::isnan(s.mean.psnr_rgb));  // no swscale, no RGB
#endif
  EXPECT_DOUBLE_EQ(s.mean.ssim, 1.0);
}

TEST(Metrics, SizeMismatchIsAnError) {
  MetricsAccumulator acc;
  EXPECT_THROW(acc.add(grey(16, 16, 0), grey(16, 8, 0)), Error);
}

TEST(MsSsim, IdenticalIsOne) {
  auto f = test::read_all(test::data("msssim_ref_192x176.y4m"))[0];
  EXPECT_NEAR(msssim(f.planes[0].data(), f.planes[0].data(), f.width, f.height), 1.0, 1e-12);
  EXPECT_NEAR(ssim(f.planes[0].data(), f.planes[0].data(), f.width, f.height), 1.0, 1e-12);
}

TEST(MsSsim, MatchesIndependentReference) {
  auto a = test::read_all(test::data("msssim_ref_192x176.y4m"))[0];
  auto b = test::read_all(test::data("msssim_dist_192x176.y4m"))[0];
  // Values printed by tests/data/msssim_reference.py for this pair.
  EXPECT_NEAR(msssim(a.planes[0].data(), b.planes[0].data(), a.width, a.height), 0.9770824165,
              1e-8);
  EXPECT_NEAR(ssim(a.planes[0].data(), b.planes[0].data(), a.width, a.height), 0.9059979954, 1e-8);
}

TEST(MsSsim, DefinedOnlyAbove160) {
  EXPECT_TRUE(msssim_defined(352, 288));
  EXPECT_TRUE(msssim_defined(192, 161));
  EXPECT_FALSE(msssim_defined(176, 144));
  EXPECT_FALSE(msssim_defined(640, 160));
  std::vector<uint8_t> small(176 * 144, 0);
  EXPECT_THROW(msssim(small.data(), small.data(), 176, 144), Error);
}

}  // namespace
}  // namespace nerv
