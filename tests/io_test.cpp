// Video input/output: lossless round trips are bit exact, lossy ones are close, options and
// errors behave.
#include <cstdio>
#include <fstream>

#include "base/error.h"
#include "io/metrics.h"
#include "io/video_writer.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

using test::data;
using test::read_all;

const std::string kClip = "foreman_64x64_6f.y4m";

VideoInfo info_of(const std::string& url) {
  return open_video_reader(url, {})->info();
}

void write_all(const std::string& url, const std::vector<Frame>& frames, const WriteOptions& o) {
  auto w = open_video_writer(url, info_of(data(kClip)), o);
  for (const Frame& f : frames) w->write(f);
  w->close();
}

void expect_same_pixels(const std::vector<Frame>& a, const std::vector<Frame>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    for (int p = 0; p < 3; ++p) EXPECT_EQ(a[i].planes[p], b[i].planes[p]) << "frame " << i;
}

double mean_psnr_y(const std::vector<Frame>& a, const std::vector<Frame>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i)
    sum +=
        psnr_from_mse(plane_mse(a[i].planes[0].data(), b[i].planes[0].data(), a[i].plane_size(0)));
  return sum / a.size();
}

TEST(Reader, ReadsY4mWithMetadata) {
  auto r = open_video_reader(data(kClip), {});
  const VideoInfo& i = r->info();
  EXPECT_EQ(i.width, 64);
  EXPECT_EQ(i.height, 64);
  EXPECT_EQ(i.fps.num, 30000);
  EXPECT_EQ(i.fps.den, 1001);
  EXPECT_EQ(i.range, ColorRange::Limited);
  EXPECT_EQ(i.matrix, ColorMatrix::BT601);
  auto frames = read_all(data(kClip));
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[0].planes[0].size(), 64u * 64u);
  EXPECT_EQ(frames[0].planes[1].size(), 32u * 32u);
  EXPECT_EQ(frames[5].index, 5);
}

TEST(Reader, StartAndFrameLimitAreExactIndices) {
  auto all = read_all(data(kClip));
  ReadOptions o;
  o.start_frame = 2;
  o.max_frames = 3;
  auto part = read_all(data(kClip), o);
  ASSERT_EQ(part.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(part[k].index, 2 + k);
    EXPECT_EQ(part[k].planes[0], all[2 + k].planes[0]);
  }
}

TEST(Reader, RawYuvNeedsSizeAndReadsBack) {
  auto dir = test::scratch();
  auto frames = read_all(data(kClip));
  std::string raw = (dir / "clip.yuv").string();
  {
    std::ofstream out(raw, std::ios::binary);
    for (const Frame& f : frames)
      for (int p = 0; p < 3; ++p)
        out.write(reinterpret_cast<const char*>(f.planes[p].data()), f.planes[p].size());
  }
  EXPECT_THROW(open_video_reader(raw, {}), Error);
  ReadOptions o;
  o.width = 64;
  o.height = 64;
  o.fps = {30, 1};
  auto back = read_all(raw, o);
  expect_same_pixels(frames, back);
  EXPECT_EQ(open_video_reader(raw, o)->info().fps.num, 30);
}

struct LosslessCase {
  const char* name;
  const char* ext;
  const char* codec;  // empty: container default
  int qp;
};

class LosslessRoundTrip : public ::testing::TestWithParam<LosslessCase> {};

TEST_P(LosslessRoundTrip, IsBitExact) {
  const LosslessCase& c = GetParam();
  auto dir = test::scratch();
  auto frames = read_all(data(kClip));
  std::string out = (dir / (std::string("out.") + c.ext)).string();
  WriteOptions o;
  o.codec = c.codec;
  o.qp = c.qp;
  write_all(out, frames, o);
  expect_same_pixels(frames, read_all(out));
}

INSTANTIATE_TEST_SUITE_P(Containers, LosslessRoundTrip,
                         ::testing::Values(LosslessCase{"y4m", "y4m", "", -1},
                                           LosslessCase{"nut_raw", "nut", "", -1},
                                           LosslessCase{"mkv_ffv1", "mkv", "", -1},
                                           LosslessCase{"mkv_raw", "mkv", "rawvideo", -1},
                                           LosslessCase{"mp4_x264_qp0", "mp4", "libx264", 0}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Writer, LossyMp4IsCloseAndCountsFrames) {
  auto dir = test::scratch();
  auto frames = read_all(data(kClip));
  for (const char* codec : {"libx264", "libx265"}) {
    std::string out = (dir / (std::string(codec) + ".mp4")).string();
    WriteOptions o;
    o.codec = codec;
    o.crf = 18;
    o.preset = "fast";
    write_all(out, frames, o);
    auto back = read_all(out);
    ASSERT_EQ(back.size(), frames.size()) << codec;
    double psnr = mean_psnr_y(frames, back);
    EXPECT_GT(psnr, 34.0) << codec;
    EXPECT_LT(psnr, 99.0) << codec;  // lossy: not identical
  }
}

TEST(Writer, StdoutNeedsFormat) {
  EXPECT_THROW(open_video_writer("-", info_of(data(kClip)), {}), Error);
}

TEST(Writer, AbandonedOutputLeavesNoFile) {
  auto dir = test::scratch();
  auto frames = read_all(data(kClip));
  std::string out = (dir / "partial.mkv").string();
  {
    auto w = open_video_writer(out, info_of(data(kClip)), {});
    w->write(frames[0]);
    // destroyed without close(), as on an error
  }
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(Writer, WritesUnderTemporaryNameUntilClosed) {
  auto dir = test::scratch();
  auto frames = read_all(data(kClip));
  std::string out = (dir / "clip.y4m").string();
  auto w = open_video_writer(out, info_of(data(kClip)), {});
  w->write(frames[0]);
  EXPECT_FALSE(std::filesystem::exists(out));
  w->close();
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
}

TEST(Writer, UnknownContainerOrCodecIsAnError) {
  auto dir = test::scratch();
  VideoInfo i = info_of(data(kClip));
  EXPECT_THROW(open_video_writer((dir / "x.unknownext").string(), i, {}), Error);
  WriteOptions o;
  o.codec = "nosuchcodec";
  EXPECT_THROW(open_video_writer((dir / "x.mkv").string(), i, o), Error);
  EXPECT_THROW(open_video_writer((dir / "missing-dir" / "x.mkv").string(), i, {}), Error);
}

void expect_error(const std::string& url, const std::string& needle, ReadOptions o = {}) {
  try {
    open_video_reader(url, o);
    FAIL() << "no error for " << url;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Reader, ErrorsNameTheProblem) {
  expect_error(data("does_not_exist.mp4"), "no such file");
  expect_error(data("not_a_video.mp4"), "not a video");
  expect_error(data("audio_only.wav"), "no video stream");
  expect_error(NERV_TEST_DATA_DIR, "is a directory");
  ReadOptions raw;
  raw.format = "rawvideo";
  expect_error(data(kClip), "needs --size", raw);
}

TEST(Parse, SizesAndRates) {
  int w = 0, h = 0;
  parse_size("352x288", w, h);
  EXPECT_EQ(w, 352);
  EXPECT_EQ(h, 288);
  EXPECT_THROW(parse_size("352", w, h), Error);
  EXPECT_THROW(parse_size("100000x10", w, h), Error);
  EXPECT_THROW(parse_size("0x0", w, h), Error);
  Rational r = parse_rational("30000/1001");
  EXPECT_EQ(r.num, 30000);
  EXPECT_EQ(r.den, 1001);
  EXPECT_EQ(parse_rational("25").num, 25);
  EXPECT_NEAR(parse_rational("29.97").value(), 29.97, 1e-9);
  EXPECT_THROW(parse_rational("fast"), Error);
  EXPECT_THROW(parse_rational("-3"), Error);
}

}  // namespace
}  // namespace nerv
