// The native Y4M reader and writer (the video I/O of builds without FFmpeg).
#include "io/y4m.h"

#include "base/error.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

std::vector<Frame> read_native(const std::string& url, ReadOptions o = {}) {
  auto r = open_y4m_reader(url, o);
  std::vector<Frame> out;
  Frame f;
  while (r->read(f)) out.push_back(f);
  return out;
}

TEST(Y4m, ReadsHeaderAndFrames) {
  auto r = open_y4m_reader(test::data("foreman_64x64_6f.y4m"), {});
  EXPECT_EQ(r->info().width, 64);
  EXPECT_EQ(r->info().fps.num, 30000);
  EXPECT_EQ(r->info().fps.den, 1001);
  EXPECT_EQ(r->info().range, ColorRange::Limited);
  auto frames = read_native(test::data("foreman_64x64_6f.y4m"));
  ASSERT_EQ(frames.size(), 6u);
  ReadOptions o;
  o.start_frame = 4;
  auto tail = read_native(test::data("foreman_64x64_6f.y4m"), o);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].planes[0], frames[4].planes[0]);
  EXPECT_EQ(tail[0].index, 4);
}

TEST(Y4m, WriteReadRoundTripIsBitExact) {
  auto dir = test::scratch();
  auto frames = read_native(test::data("foreman_64x64_6f.y4m"));
  std::string out = (dir / "out.y4m").string();
  VideoInfo info = open_y4m_reader(test::data("foreman_64x64_6f.y4m"), {})->info();
  auto w = open_y4m_writer(out, info, {});
  for (const Frame& f : frames) w->write(f);
  EXPECT_FALSE(std::filesystem::exists(out));  // temporary name until closed
  w->close();
  auto back = read_native(out);
  ASSERT_EQ(back.size(), frames.size());
  for (size_t i = 0; i < frames.size(); ++i)
    for (int p = 0; p < 3; ++p) EXPECT_EQ(back[i].planes[p], frames[i].planes[p]);
}

TEST(Y4m, Errors) {
  EXPECT_THROW(open_y4m_reader(test::data("nope.y4m"), {}), Error);
  EXPECT_THROW(open_y4m_reader(test::data("not_a_video.mp4"), {}), Error);
  EXPECT_THROW(read_native(test::data("truncated.nerv")), Error);
  ReadOptions rgb;
  rgb.out_fmt = PixFmt::RGBP;
  EXPECT_THROW(open_y4m_reader(test::data("foreman_64x64_6f.y4m"), rgb), Error);
  VideoInfo info;
  info.width = info.height = 16;
  EXPECT_THROW(open_y4m_writer("x.mkv", info, {}), Error);
}

}  // namespace
}  // namespace nerv
