// Pixel-format conversion: known colours against the BT.601/BT.709 formulas, and round trips
// within stated tolerances.
#include "io/convert.h"

#include <cmath>

#include "io/metrics.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

Frame flat(int y, int u, int v, ColorMatrix m, ColorRange r) {
  Frame f;
  f.matrix = m;
  f.range = r;
  f.resize(16, 16, PixFmt::YUV420P);
  f.planes[0].assign(f.planes[0].size(), uint8_t(y));
  f.planes[1].assign(f.planes[1].size(), uint8_t(u));
  f.planes[2].assign(f.planes[2].size(), uint8_t(v));
  return f;
}

struct Rgb {
  int r, g, b;
};

// Hand-computed from the matrix definitions (Kr, Kb) and the range scaling.
Rgb expected_rgb(int y, int u, int v, ColorMatrix m, ColorRange r) {
  double kr = m == ColorMatrix::BT709 ? 0.2126 : 0.299;
  double kb = m == ColorMatrix::BT709 ? 0.0722 : 0.114;
  double kg = 1 - kr - kb;
  bool full = r == ColorRange::Full;
  double yy = full ? y / 255.0 : (y - 16) / 219.0;
  double pb = full ? (u - 128) / 255.0 : (u - 128) / 224.0;
  double pr = full ? (v - 128) / 255.0 : (v - 128) / 224.0;
  double rr = yy + 2 * (1 - kr) * pr;
  double bb = yy + 2 * (1 - kb) * pb;
  double gg = (yy - kr * rr - kb * bb) / kg;
  auto q = [](double x) { return int(std::lround(std::min(1.0, std::max(0.0, x)) * 255)); };
  return {q(rr), q(gg), q(bb)};
}

struct ColourCase {
  int y, u, v;
  ColorMatrix m;
  ColorRange r;
};

class KnownColours : public ::testing::TestWithParam<ColourCase> {};

// swscale's fixed-point path is within 2 code values of the exact formula.
TEST_P(KnownColours, MatchFormulaWithin2) {
  const ColourCase& c = GetParam();
  Converter conv;
  Frame rgb;
  conv.convert(flat(c.y, c.u, c.v, c.m, c.r), PixFmt::RGBP, rgb);
  Rgb e = expected_rgb(c.y, c.u, c.v, c.m, c.r);
  size_t mid = 8 * 16 + 8;
  EXPECT_NEAR(rgb.planes[0][mid], e.r, 2);
  EXPECT_NEAR(rgb.planes[1][mid], e.g, 2);
  EXPECT_NEAR(rgb.planes[2][mid], e.b, 2);
}

INSTANTIATE_TEST_SUITE_P(
    Matrices, KnownColours,
    ::testing::Values(ColourCase{81, 90, 240, ColorMatrix::BT601, ColorRange::Limited},   // red
                      ColourCase{145, 54, 34, ColorMatrix::BT601, ColorRange::Limited},   // green
                      ColourCase{63, 102, 240, ColorMatrix::BT709, ColorRange::Limited},  // red
                      ColourCase{76, 85, 255, ColorMatrix::BT601, ColorRange::Full},      // red
                      ColourCase{120, 160, 100, ColorMatrix::BT709, ColorRange::Full},
                      ColourCase{180, 110, 150, ColorMatrix::BT601, ColorRange::Limited}));

double psnr_plane(const Frame& a, const Frame& b, int p) {
  return psnr_from_mse(plane_mse(a.planes[p].data(), b.planes[p].data(), a.plane_size(p)));
}

// 4:2:0 -> RGB -> 4:2:0 on a real clip: luma within 45 dB, chroma within 38 dB.
TEST(Convert, RgbRoundTripOnRealFrames) {
  for (const Frame& f : test::read_all(test::data("foreman_64x64_6f.y4m"))) {
    Converter conv;
    Frame rgb, back;
    conv.convert(f, PixFmt::RGBP, rgb);
    conv.convert(rgb, PixFmt::YUV420P, back);
    EXPECT_GT(psnr_plane(f, back, 0), 45.0);
    EXPECT_GT(psnr_plane(f, back, 1), 38.0);
    EXPECT_GT(psnr_plane(f, back, 2), 38.0);
  }
}

// 4:2:0 -> 4:4:4 -> 4:2:0: luma untouched, chroma within 40 dB.
TEST(Convert, Yuv444RoundTrip) {
  for (const Frame& f : test::read_all(test::data("foreman_64x64_6f.y4m"))) {
    Converter conv;
    Frame full, back;
    conv.convert(f, PixFmt::YUV444P, full);
    EXPECT_EQ(full.plane_size(1), 64u * 64u);
    conv.convert(full, PixFmt::YUV420P, back);
    EXPECT_EQ(f.planes[0], back.planes[0]);
    EXPECT_GT(psnr_plane(f, back, 1), 40.0);
  }
}

TEST(Convert, ReaderDeliversRgbAndFloat) {
  ReadOptions o;
  o.out_fmt = PixFmt::RGBP;
  auto frames = test::read_all(test::data("foreman_64x64_6f.y4m"), o);
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[0].fmt, PixFmt::RGBP);
  std::vector<float> chw = to_float_chw(frames[0]);
  ASSERT_EQ(chw.size(), 3u * 64 * 64);
  EXPECT_FLOAT_EQ(chw[64 * 64 + 5], frames[0].planes[1][5] / 255.0f);
}

}  // namespace
}  // namespace nerv
