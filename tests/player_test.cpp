// Playback: pacing against an injected clock (no sleeping), and seeking through the decode
// pipeline, which must give exactly the frames a full decode gives.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "base/error.h"
#include "codec/bitstream.h"
#include "codec/config.h"
#include "codec/decode_pipeline.h"
#include "codec/decoder.h"
#include "codec/encoder.h"
#include "player/pacer.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

// Time moves only when the code under test sleeps or the test says so.
class FakeClock final : public Clock {
 public:
  double t = 100;
  double now() override { return t; }
  void sleep_until(double until) override {
    if (until > t) t = until;
  }
};

TEST(Pacer, OnTimeFramesAreShownAtTheirDueTime) {
  FakeClock c;
  Pacer p(c, 25, true);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(p.wait(i), Pacer::Action::Show);
  EXPECT_NEAR(c.t, 100 + 9 / 25.0, 1e-9);  // frame 9 is due 9 periods after frame 0
  EXPECT_EQ(p.shown(), 10u);
  EXPECT_EQ(p.dropped(), 0u);
}

TEST(Pacer, LateFramesWithNewerOnesWaitingAreDroppedInOrder) {
  FakeClock c;
  Pacer p(c, 25, true);
  p.wait(0);
  c.t += 0.3;  // a stall: the frames of the next 0.3 s are decoded and waiting
  std::vector<uint64_t> shown;
  for (uint64_t i = 1; i < 20; ++i)
    if (p.wait(i, true) == Pacer::Action::Show) shown.push_back(i);
  // Frames 1-6 are more than a period late when the stall ends: dropped; from frame 7 the
  // schedule is met again, and every frame is shown.
  EXPECT_EQ(p.dropped(), 6u);
  ASSERT_FALSE(shown.empty());
  EXPECT_EQ(shown.front(), 7u);
  for (size_t k = 1; k < shown.size(); ++k) EXPECT_EQ(shown[k], shown[k - 1] + 1);
  EXPECT_NEAR(c.t, 100 + 19 / 25.0, 1e-9);
}

TEST(Pacer, SlowDecoderShowsEveryFrameLateAndCatchesUp) {
  FakeClock c;
  Pacer p(c, 25, true);
  p.wait(0);
  for (uint64_t i = 1; i < 20; ++i) {
    c.t += 0.05;  // 20 fps decoding, 25 fps stream, nothing decoded ahead
    EXPECT_EQ(p.wait(i, false), Pacer::Action::Show);
  }
  EXPECT_EQ(p.dropped(), 0u);
  // Then the decoder keeps up again: frames come a period apart, not bunched to catch up.
  p.wait(20, false);
  double t1 = c.t;
  p.wait(21, false);
  EXPECT_NEAR(c.t - t1, 0.04, 1e-9);
}

TEST(Pacer, AFrameIsShownAtLeastEveryHalfSecond) {
  FakeClock c;
  Pacer p(c, 25, true);
  p.wait(0);
  std::vector<double> shown_at;
  for (uint64_t i = 1; i < 100; ++i) {
    c.t += 0.1;  // far behind, always a newer frame waiting
    if (p.wait(i, true) == Pacer::Action::Show) shown_at.push_back(c.t);
  }
  ASSERT_GE(shown_at.size(), 10u);
  for (size_t k = 1; k < shown_at.size(); ++k) EXPECT_LE(shown_at[k] - shown_at[k - 1], 0.61);
}

TEST(Pacer, WithoutDroppingEveryFrameIsShownLate) {
  FakeClock c;
  Pacer p(c, 25, false);
  for (uint64_t i = 0; i < 10; ++i) {
    c.t += 0.1;
    EXPECT_EQ(p.wait(i), Pacer::Action::Show);
  }
  EXPECT_EQ(p.dropped(), 0u);
}

TEST(Pacer, PauseShiftsTheScheduleAndRestartStartsAfresh) {
  FakeClock c;
  Pacer p(c, 10, true);
  p.wait(0);
  p.pause();
  c.t += 5;  // paused for five seconds
  p.resume();
  EXPECT_EQ(p.wait(1), Pacer::Action::Show);
  EXPECT_NEAR(c.t, 105.1, 1e-9);
  p.restart();  // a seek to frame 40: due at once, then on schedule from there
  double before = c.t;
  EXPECT_EQ(p.wait(40), Pacer::Action::Show);
  EXPECT_EQ(c.t, before);
  p.wait(41);
  EXPECT_NEAR(c.t, before + 0.1, 1e-9);
}

// A stream of three segments (2 frames each): intra, residual, intra.
class Seek : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(
        (std::filesystem::temp_directory_path() / ("nervc-player-test-" + std::to_string(getpid())))
            .string());
    test::remove_tree(*dir_);
    std::filesystem::create_directories(*dir_);
    stream_ = new std::string(*dir_ + "/s.nerv");
    auto reader = open_video_reader(test::data("foreman_64x64_6f.y4m"), {});
    EncodeOptions opt;
    opt.cfg = load_config_file(test::data("tiny_config.json"));
    opt.cfg.segment_frames = 2;
    opt.cfg.intra_period = 2;
    override_epochs(opt.cfg.train, 10);
    encode_video(*reader, *stream_, opt, nullptr);
    full_ = new std::vector<Frame>();
    decode_stream(
        *stream_, {}, [](const StreamHeader&) {}, [](const Frame& f) { full_->push_back(f); });
  }
  static void TearDownTestSuite() { test::remove_tree(*dir_); }
  static void expect_same(const Frame& a, const Frame& b) {
    EXPECT_EQ(a.index, b.index);
    for (int p = 0; p < 3; ++p) EXPECT_TRUE(a.planes[p] == b.planes[p]) << "frame " << a.index;
  }
  static std::string* dir_;
  static std::string* stream_;
  static std::vector<Frame>* full_;
};
std::string* Seek::dir_ = nullptr;
std::string* Seek::stream_ = nullptr;
std::vector<Frame>* Seek::full_ = nullptr;

TEST_F(Seek, IndexListsTheIntraSegments) {
  ASSERT_EQ(full_->size(), 6u);
  DecodePipeline pipe(*stream_, {});
  const auto& idx = pipe.intra_segments();
  ASSERT_EQ(idx.size(), 2u);
  EXPECT_EQ(idx[0].segment, 0u);
  EXPECT_EQ(idx[1].segment, 2u);
  EXPECT_EQ(idx[1].first_frame, 4u);
}

TEST_F(Seek, SeekingGivesTheFramesOfAFullDecode) {
  DecodePipeline pipe(*stream_, {});
  DecodedFrame d;
  ASSERT_TRUE(pipe.next(d));  // frame 0, the rest is queued
  pipe.seek(pipe.intra_segments()[1]);
  for (uint64_t i = 4; i < 6; ++i) {
    ASSERT_TRUE(pipe.next(d));
    expect_same(d.frame, (*full_)[i]);
  }
  EXPECT_FALSE(pipe.next(d));
  // Back to the start after the end: the residual chain is rebuilt from its intra segment.
  pipe.seek(pipe.intra_segments()[0]);
  for (uint64_t i = 0; i < 6; ++i) {
    ASSERT_TRUE(pipe.next(d));
    expect_same(d.frame, (*full_)[i]);
  }
  EXPECT_FALSE(pipe.next(d));
}

TEST_F(Seek, WithoutTheIndexSegmentsAreFoundByScanning) {
  // A stream still being written (or cut off) has no index or end chunk yet.
  std::ifstream in(*stream_, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  DecodePipeline whole(*stream_, {});
  uint64_t end_of_segments = 0;
  {
    BitstreamReader r(*stream_);
    BitstreamReader::Chunk c;
    while (r.next(c) && c.kind == BitstreamReader::Chunk::Segment) end_of_segments = r.position();
  }
  std::string cut = *dir_ + "/cut.nerv";
  std::ofstream(cut, std::ios::binary).write(bytes.data(), std::streamsize(end_of_segments));
  DecodePipeline pipe(cut, {});
  const auto& idx = pipe.intra_segments();
  ASSERT_EQ(idx.size(), 2u);
  EXPECT_EQ(idx[1].offset, whole.intra_segments()[1].offset);
  pipe.seek(idx[1]);
  DecodedFrame d;
  ASSERT_TRUE(pipe.next(d));
  expect_same(d.frame, (*full_)[4]);
  ASSERT_TRUE(pipe.next(d));
  EXPECT_THROW(pipe.next(d), Error);  // then the missing end chunk: "truncated"
}

TEST_F(Seek, DamagedSegmentsAreSkippedToTheNextIntra) {
  std::vector<uint64_t> offsets;
  {
    BitstreamReader r(*stream_);
    BitstreamReader::Chunk c;
    while (r.next(c))
      if (c.kind == BitstreamReader::Chunk::Segment) offsets.push_back(c.segment.offset);
  }
  ASSERT_EQ(offsets.size(), 3u);
  std::ifstream in(*stream_, std::ios::binary);
  const std::vector<char> good((std::istreambuf_iterator<char>(in)), {});
  // Damage in segment 0 (intra): on at segment 2. In segment 1 (residual): 0 and 1 play.
  const std::vector<std::vector<int64_t>> expected = {{4, 5}, {0, 1, 4, 5}};
  for (size_t seg = 0; seg < 2; ++seg) {
    std::vector<char> bad = good;
    bad[offsets[seg] + 40] ^= 0x10;  // inside the payload: the chunk's CRC no longer matches
    std::string path = *dir_ + "/bad" + std::to_string(seg) + ".nerv";
    std::ofstream(path, std::ios::binary).write(bad.data(), std::streamsize(bad.size()));

    DecodeOptions strict;
    EXPECT_THROW(decode_stream(
                     path, strict, [](const StreamHeader&) {}, [](const Frame&) {}),
                 Error);

    DecodeOptions opt;
    opt.skip_errors = true;
    std::vector<std::string> reports;
    opt.on_skip = [&](const std::string& m) { reports.push_back(m); };
    std::vector<int64_t> got;
    decode_stream(
        path, opt, [](const StreamHeader&) {},
        [&](const Frame& f) {
          got.push_back(f.index);
          expect_same(f, (*full_)[size_t(f.index)]);
        });
    EXPECT_EQ(got, expected[seg]);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_NE(reports[0].find("CRC mismatch; skipping to intra segment 2"), std::string::npos)
        << reports[0];
  }
}

TEST_F(Seek, ADamagedIndexStillOpensAndPlaysEveryFrame) {
  std::ifstream in(*stream_, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  uint64_t index_at = 0;
  {
    BitstreamReader r(*stream_);
    BitstreamReader::Chunk c;
    uint64_t before = r.position();
    while (r.next(c)) {
      if (c.kind == BitstreamReader::Chunk::Index) index_at = before;
      before = r.position();
    }
  }
  ASSERT_GT(index_at, 0u);
  bytes[index_at + 10] ^= 0x01;  // inside the first entry: the index's CRC fails
  std::string path = *dir_ + "/bad_index.nerv";
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  DecodePipeline pipe(path, {});
  ASSERT_EQ(pipe.intra_segments().size(), 2u);  // found by scanning the chunk headers
  DecodedFrame d;
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(pipe.next(d));
  try {
    pipe.next(d);
    FAIL() << "the damaged index is still an error at the end of the stream";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index"), std::string::npos) << e.what();
  }
}

TEST_F(Seek, PipesCannotSeek) {
  DecodePipeline pipe(*stream_, {});
  IndexEntry e = pipe.intra_segments()[1];
  EXPECT_TRUE(pipe.seekable());
  std::string fifo = *dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread feeder([&] {
    std::ofstream out(fifo, std::ios::binary);
    std::ifstream in(*stream_, std::ios::binary);
    out << in.rdbuf();
  });
  {
    DecodePipeline p(fifo, {});
    EXPECT_FALSE(p.seekable());
    EXPECT_TRUE(p.intra_segments().empty());
    EXPECT_THROW(p.seek(e), Error);
    DecodedFrame d;
    int n = 0;
    while (p.next(d)) ++n;
    EXPECT_EQ(n, 6);
  }
  feeder.join();
}

}  // namespace
}  // namespace nerv
