// Rate-distortion evaluation: BD figures against published vectors and exact cases, the CSV
// reader, the anchor codecs' in-process encode/decode, and results files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "base/error.h"
#include "eval/anchor.h"
#include "eval/bd_rate.h"
#include "eval/bd_table.h"
#include "eval/csv.h"
#include "eval/image_anchor.h"
#include "eval/results.h"
#include "io/elementary.h"
#include "io/metrics.h"
#include "io/video_reader.h"

namespace nerv {
namespace {

// JCTVC-E137's example, as used by the Netflix vmaf repository's BD-rate tests.
const std::vector<RdSample> kE137Anchor = {
    {108048.8736, 43.6471}, {61279.976, 40.3953}, {33905.6656, 37.247}, {18883.6928, 34.2911}};
const std::vector<RdSample> kE137Test = {
    {108061.2784, 43.6768}, {61299.9936, 40.4232}, {33928.7472, 37.2761}, {18910.912, 34.3147}};

TEST(BdRate, PchipMatchesJctvcE137) {
  BdResult r = bd_rate(kE137Anchor, kE137Test, BdInterp::Pchip);
  ASSERT_TRUE(r.value);
  EXPECT_NEAR(*r.value, -0.4652154, 5e-7);
}

TEST(BdRate, CubicCloseToPchipOnSmoothCurves) {
  BdResult r = bd_rate(kE137Anchor, kE137Test, BdInterp::Cubic);
  ASSERT_TRUE(r.value);
  EXPECT_EQ(r.degree, 3);
  EXPECT_NEAR(*r.value, -0.4652154, 0.01);
  EXPECT_GT(*bd_quality(kE137Anchor, kE137Test, BdInterp::Pchip).value, 0.02);
}

TEST(BdRate, ExactRateScaleAndQualityShift) {
  // The same curve at 90 % of the rate: exactly -10 % BD-rate; 0.5 dB up: exactly +0.5 dB.
  std::vector<RdSample> scaled, shifted;
  for (const RdSample& s : kE137Anchor) {
    scaled.push_back({s.rate * 0.9, s.quality});
    shifted.push_back({s.rate, s.quality + 0.5});
  }
  for (BdInterp m : {BdInterp::Pchip, BdInterp::Cubic}) {
    EXPECT_NEAR(*bd_rate(kE137Anchor, scaled, m).value, -10.0, 1e-9) << to_string(m);
    EXPECT_NEAR(*bd_quality(kE137Anchor, shifted, m).value, 0.5, 1e-9) << to_string(m);
    EXPECT_NEAR(*bd_rate(kE137Anchor, kE137Anchor, m).value, 0.0, 1e-12);
  }
}

TEST(BdRate, OrderOfPointsDoesNotMatter) {
  std::vector<RdSample> a(kE137Anchor.rbegin(), kE137Anchor.rend());
  EXPECT_DOUBLE_EQ(*bd_rate(a, kE137Test, BdInterp::Pchip).value,
                   *bd_rate(kE137Anchor, kE137Test, BdInterp::Pchip).value);
}

TEST(BdRate, NonMonotonePointsDroppedAndReported) {
  std::vector<RdSample> t = kE137Test;
  t.push_back({80000, 39.0});  // more rate than the 40.42 dB point's neighbour, less quality
  BdResult r = bd_rate(kE137Anchor, t, BdInterp::Pchip);
  ASSERT_EQ(r.dropped_test.size(), 1u);
  EXPECT_EQ(r.dropped_test[0].rate, 80000);
  EXPECT_NEAR(*r.value, -0.4652154, 5e-7);
}

TEST(BdRate, NoOverlapIsNotANumber) {
  std::vector<RdSample> low = {{100, 20}, {200, 22}, {400, 24}};
  std::vector<RdSample> high = {{100, 30}, {200, 32}, {400, 34}};
  BdResult r = bd_rate(low, high, BdInterp::Pchip);
  EXPECT_FALSE(r.value);
  EXPECT_NE(r.reason.find("do not overlap"), std::string::npos);
  // At equal rates the quality difference is still defined: exactly +10 dB.
  EXPECT_NEAR(*bd_quality(low, high, BdInterp::Pchip).value, 10.0, 1e-9);
}

TEST(BdRate, TooFewPointsIsNotANumber) {
  std::vector<RdSample> one = {{100, 30}};
  BdResult r = bd_rate(one, kE137Test, BdInterp::Cubic);
  EXPECT_FALSE(r.value);
  EXPECT_NE(r.reason.find("fewer than 2"), std::string::npos);
  // Two points: PCHIP is the straight line, the "cubic" a first-degree fit, so they agree.
  std::vector<RdSample> a2 = {{100, 30}, {400, 36}}, t2 = {{90, 30}, {360, 36}};
  EXPECT_NEAR(*bd_rate(a2, t2, BdInterp::Pchip).value, -10.0, 1e-9);
  BdResult c = bd_rate(a2, t2, BdInterp::Cubic);
  EXPECT_EQ(c.degree, 1);
  EXPECT_NEAR(*c.value, -10.0, 1e-9);
}

TEST(BdTable, PerSequenceAndAverage) {
  std::vector<RdPoint> pts;
  auto add = [&](const std::string& seq, const std::string& codec, double bpp, double psnr) {
    RdPoint p;
    p.sequence = seq;
    p.codec = codec;
    p.setting = std::to_string(bpp);
    p.bpp = bpp;
    p.psnr_yuv = p.psnr_y = psnr;
    p.msssim = 0.9 + psnr / 1000;
    pts.push_back(p);
  };
  for (double b : {0.1, 0.2, 0.4}) {
    add("a", "x265", b, 30 + 10 * b);
    add("a", "nervc", b * 0.8, 30 + 10 * b);  // -20 %
    add("b", "x265", b, 30 + 10 * b);
    add("b", "nervc", b * 0.9, 30 + 10 * b);  // -10 %
  }
  RdPoint failed = pts.back();
  failed.status = "failed: test";
  failed.bpp = 5;
  pts.push_back(failed);  // ignored
  auto entries = bd_entries(pts, "x265", "nervc");
  ASSERT_EQ(entries.size(), 9u);  // 3 metrics x (2 sequences + average)
  EXPECT_NEAR(*entries[0].rate_pchip.value, -20, 1e-9);
  EXPECT_NEAR(*entries[1].rate_pchip.value, -10, 1e-9);
  EXPECT_EQ(entries[2].sequence, "average");
  EXPECT_NEAR(*entries[2].rate_pchip.value, -15, 1e-9);
  EXPECT_EQ(entries[2].sequences, 2);
}

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(Csv, QuotedFieldsAndErrors) {
  CsvTable t = read_csv(write_temp("q.csv", "a,b\n1,\"x, \"\"y\"\"\"\n2,\"multi\nline\"\n"));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][1], "x, \"y\"");
  EXPECT_EQ(t.rows[1][1], "multi\nline");
  EXPECT_EQ(t.number(1, t.column("a")), 2);
  EXPECT_THROW(t.column("psnr"), Error);
  EXPECT_THROW(t.number(0, 1), Error);
  EXPECT_THROW(read_csv(write_temp("bad.csv", "a,b\n1\n")), Error);
  EXPECT_THROW(read_csv(write_temp("empty.csv", "")), Error);
  EXPECT_THROW(read_csv(testing::TempDir() + "missing.csv"), Error);
}

TEST(Results, CsvRoundTrip) {
  RdPoint p;
  p.sequence = "fore,man";
  p.codec = "nervc";
  p.setting = "xs";
  p.status = "failed: \"x\"";
  p.bytes = 1234;
  p.bpp = 0.125;
  p.psnr_yuv = 31.5;
  p.msssim = NAN;
  p.psnr_rgb = INFINITY;
  std::string path = write_temp("r.csv", rd_csv_header() + "\n" + to_csv_line(p) + "\n");
  auto back = read_rd_points(read_csv(path));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].key(), p.key());
  EXPECT_EQ(back[0].status, p.status);
  EXPECT_EQ(back[0].bytes, 1234u);
  EXPECT_DOUBLE_EQ(back[0].psnr_yuv, 31.5);
  EXPECT_TRUE(std::isnan(back[0].msssim));
  EXPECT_TRUE(std::isinf(back[0].psnr_rgb));
}

std::vector<Frame> test_frames() {
  ReadOptions ro;
  auto r = open_video_reader(std::string(NERV_TEST_DATA_DIR) + "/foreman_64x64_6f.y4m", ro);
  std::vector<Frame> v;
  Frame f;
  while (r->read(f)) v.push_back(f);
  return v;
}

TEST(Anchor, X265EncodesDecodesAtFixedQp) {
  std::vector<Frame> src = test_frames();
  const Anchor& a = find_anchor("x265");
  AnchorSettings s;
  s.keyint = 4;
  double last_psnr = 1e9;
  size_t last_bytes = 0;
  for (int qp : {22, 37}) {
    ElementaryStream es = encode_elementary(src, {a.encoder, a.options(qp, s), {25, 1}});
    EXPECT_EQ(es.codec, "hevc");
    // Annex B with in-band parameter sets: the stream starts with a start code and a VPS.
    ASSERT_GT(es.bytes.size(), 5u);
    EXPECT_EQ(es.bytes[0] | es.bytes[1], 0);
    std::vector<Frame> out;
    decode_elementary(es, [&](const Frame& f) { out.push_back(f); });
    ASSERT_EQ(out.size(), src.size());
    MetricsAccumulator acc;
    for (size_t i = 0; i < out.size(); ++i) acc.add(src[i], out[i]);
    double psnr = acc.summary().mean.psnr_yuv;
    if (qp == 37) {
      EXPECT_LT(psnr, last_psnr);
      EXPECT_LT(es.total_bytes(), last_bytes);
    }
    EXPECT_GT(psnr, 25);
    last_psnr = psnr;
    last_bytes = es.total_bytes();
  }
  EXPECT_NE(anchor_version(a).find("x265"), std::string::npos);
}

TEST(Anchor, X264IsOneNameAway) {
  std::vector<Frame> src = test_frames();
  const Anchor& a = find_anchor("x264");
  ElementaryStream es = encode_elementary(src, {a.encoder, a.options(30, {"medium", 4}), {25, 1}});
  size_t n = 0;
  decode_elementary(es, [&](const Frame&) { ++n; });
  EXPECT_EQ(n, src.size());
}

TEST(Anchor, UnknownAnchorAndBadOptions) {
  try {
    find_anchor("h266");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("known: x265"), std::string::npos);
  }
  std::vector<Frame> src = test_frames();
  EXPECT_THROW(
      encode_elementary(
          src, {"libx265", {{"no-such-option", "1"}, {"x265-params", "log-level=error"}}, {25, 1}}),
      Error);
  EXPECT_THROW(encode_elementary(src, {"nope", {}, {25, 1}}), Error);
}

// Every image anchor codes a 64x64 RGB crop at the ends of its ladder: RGB back, fewer bytes
// and lower quality at the low end, both qualities in a range no broken conversion reaches.
TEST(ImageAnchors, EveryLadderEndCodesAnRgbImage) {
  ReadOptions ro;
  ro.out_fmt = PixFmt::RGBP;
  auto reader = open_video_reader(std::string(NERV_TEST_DATA_DIR) + "/kodim23_64x64.png", ro);
  Frame src;
  ASSERT_TRUE(reader->read(src));
  for (const ImageAnchor& a : image_anchors()) {
    SCOPED_TRACE(a.name);
    double psnr[2];
    size_t bytes[2];
    for (int end = 0; end < 2; ++end) {
      ImageAnchorResult r = run_image_anchor(a, end == 0 ? a.ladder.front() : a.ladder.back(), src);
      ASSERT_EQ(r.decoded.fmt, PixFmt::RGBP);
      ASSERT_EQ(r.decoded.width, 64);
      MetricsAccumulator acc;
      acc.add(src, r.decoded);
      psnr[end] = acc.summary().mean.psnr_rgb;
      bytes[end] = r.bytes.size();
    }
    EXPECT_GT(bytes[0], bytes[1]);
    EXPECT_GT(psnr[0], psnr[1]);
    EXPECT_GT(psnr[0], 33.0);
    EXPECT_GT(psnr[1], 18.0);
    EXPECT_LT(psnr[0], 60.0);
  }
  EXPECT_THROW(find_image_anchor("gif"), Error);
  EXPECT_NE(find_image_anchor("hevc-444-slower").describe().find("preset=slower"),
            std::string::npos);
}

}  // namespace
}  // namespace nerv
