// Sharded encoding (codec/stream_parts.h): parts of any range of chains, joined by concat,
// are byte for byte the stream one whole encode writes; bad sets of parts are named errors.
#include <fstream>

#include "base/error.h"
#include "codec/bitstream.h"
#include "codec/config.h"
#include "codec/encoder.h"
#include "codec/stream_parts.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

using test::data;
using test::slurp;
using test::spit;

bool exists(const std::string& path) {
  return std::ifstream(path).good();
}

// The tiny configs cut into one- or two-frame segments, so that six frames make several chains.
class Shards : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { dir_ = test::scratch().string(); }
  EncodeReport encode(const std::string& out, uint32_t begin = 0, uint32_t end = 0,
                      uint64_t seed = 0, bool warm_intra = false) {
    ReadOptions ro;
    ro.max_frames = frames_;
    auto reader = open_video_reader(data("foreman_64x64_6f.y4m"), ro);
    EncodeOptions opt;
    opt.cfg = load_config_file(data(GetParam()));
    opt.cfg.segment_frames = segment_frames_;
    opt.cfg.intra_period = intra_period_;
    opt.seed = seed;
    opt.expected_frames = frames_;
    opt.chains_begin = begin;
    opt.chains_end = end;
    opt.warm_intra = warm_intra;
    return encode_video(*reader, out, opt, nullptr);
  }
  uint32_t chains() {
    CodecConfig c;
    c.segment_frames = segment_frames_;
    c.intra_period = intra_period_;
    return segmentation(c, frames_).chains;
  }
  // Encodes the input as n shards and joins them; returns the joined stream's path.
  std::string sharded(uint32_t n) {
    std::vector<std::string> parts;
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t b = 0, e = 0;
      shard_chains(i, n, chains(), b, e);
      parts.push_back(dir_ + "/part" + std::to_string(n) + "-" + std::to_string(i) + ".nerv");
      encode(parts.back(), b, e);
    }
    std::string out = dir_ + "/joined" + std::to_string(n) + ".nerv";
    ConcatReport r = concat_parts({parts.rbegin(), parts.rend()}, out);  // any order
    EXPECT_EQ(r.parts, n);
    return out;
  }
  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  std::string dir_;
  int64_t frames_ = 6;
  int segment_frames_ = 1, intra_period_ = 2;
};
INSTANTIATE_TEST_SUITE_P(Family, Shards,
                         ::testing::Values("tiny_config.json", "tiny_grid_config.json"),
                         [](const auto& info) {
                           return std::string(info.param) == "tiny_config.json" ? "hnerv" : "grid";
                         });

TEST_P(Shards, ConcatOfAnyShardCountIsTheWholeEncode) {
  ASSERT_EQ(chains(), 3u);  // 6 segments, intra every 2nd
  std::string whole = dir_ + "/whole.nerv";
  encode(whole);
  std::vector<uint8_t> want = slurp(whole);
  ASSERT_FALSE(want.empty());
  for (uint32_t n : {1u, 2u, 3u}) EXPECT_EQ(slurp(sharded(n)), want) << n << " shards";
}

// A short tail joins the last segment (5 frames in segments of 2: 2 + 3): the last part holds
// it, and the segmentation of every part is the whole input's.
TEST_P(Shards, TheTailStaysWithTheLastChain) {
  frames_ = 5;
  segment_frames_ = 2;
  intra_period_ = 1;
  ASSERT_EQ(chains(), 2u);
  std::string whole = dir_ + "/whole.nerv";
  encode(whole);
  EXPECT_EQ(slurp(sharded(2)), slurp(whole));
  BitstreamReader r(dir_ + "/part2-1.nerv");
  BitstreamReader::Chunk c;
  ASSERT_TRUE(r.next(c));
  EXPECT_EQ(c.segment.frames, 3u);
  EXPECT_EQ(r.header().segment_frames, 3u);
}

TEST_P(Shards, WarmIntraSegmentsMakeAnotherStream) {
  std::string a = dir_ + "/independent.nerv", b = dir_ + "/warm.nerv";
  encode(a);
  encode(b, 0, 0, 0, true);
  EXPECT_NE(slurp(a), slurp(b));
  EXPECT_NE(error_of([&] { encode(dir_ + "/x.nerv", 0, 1, 0, true); }).find("--warm-intra"),
            std::string::npos);
}

TEST_P(Shards, BadPartSetsAreNamedAndWriteNothing) {
  std::vector<std::string> p;
  for (uint32_t i = 0; i < 3; ++i) {
    p.push_back(dir_ + "/p" + std::to_string(i) + ".nerv");
    encode(p.back(), i, i + 1);
  }
  std::string foreign = dir_ + "/foreign.nerv", whole = dir_ + "/whole.nerv",
              damaged = dir_ + "/damaged.nerv", out = dir_ + "/out.nerv";
  encode(foreign, 1, 2, 7);
  encode(whole);
  std::vector<uint8_t> b = slurp(p[1]);
  b[b.size() / 2] ^= 0x20;
  spit(damaged, b);

  auto expect = [&](std::vector<std::string> parts, const std::string& needle) {
    std::string e = error_of([&] { concat_parts(parts, out); });
    EXPECT_NE(e.find(needle), std::string::npos) << e;
    EXPECT_FALSE(exists(out));
  };
  expect({p[0], p[2]}, "concat: chains 1:2 are missing");
  expect({p[0], p[1]}, "concat: chains 2:3 are missing");
  expect({p[0], p[1], p[1], p[2]}, p[1] + ": chains 1:2 overlap those of " + p[1]);
  expect({p[0], foreign, p[2]},
         foreign + ": not a part of the same encode as " + p[0] + " (its seed differs)");
  expect({p[0], damaged, p[2]}, damaged + ": ");
  expect({p[0], whole}, whole + ": not a part stream");
  expect({p[0], dir_ + "/missing.nerv", p[2]}, dir_ + "/missing.nerv");
  EXPECT_NE(error_of([&] {
              encode(dir_ + "/x.nerv", 2, 4);
            }).find("not a range within the input's 3 chains"),
            std::string::npos);
}

TEST(Shards, ShardRangesAreEvenAndContiguous) {
  uint32_t b = 0, e = 0, at = 0;
  for (uint32_t i = 0; i < 3; ++i) {
    shard_chains(i, 3, 7, b, e);
    EXPECT_EQ(b, at);
    EXPECT_TRUE(e - b == 2 || e - b == 3);
    at = e;
  }
  EXPECT_EQ(at, 7u);
  EXPECT_THROW(shard_chains(3, 3, 7, b, e), Error);
  EXPECT_THROW(shard_chains(0, 4, 3, b, e), Error);
}

}  // namespace
}  // namespace nerv
