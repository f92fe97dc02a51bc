// The codec end to end on a tiny clip: bitstream round trip, determinism, decoded quality
// equal to what the encoder reported, and every kind of damage ending in a clean error.
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "base/error.h"
#include "codec/bitstream.h"
#include "codec/config.h"
#include "codec/decoder.h"
#include "codec/encoder.h"
#include "codec/fitter.h"
#include "codec/segment_decoder.h"
#include "codec/symbol_coders.h"
#include "io/metrics.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

using test::data;
using test::slurp;
using test::spit;

EncodeReport encode_tiny(const std::string& out, uint64_t seed = 0,
                         const std::string& config = "tiny_config.json") {
  auto reader = open_video_reader(data("foreman_64x64_6f.y4m"), {});
  EncodeOptions opt;
  opt.cfg = load_config_file(data(config));
  opt.seed = seed;
  return encode_video(*reader, out, opt, nullptr);
}

std::vector<Frame> decode_all(const std::string& in) {
  std::vector<Frame> frames;
  decode_stream(
      in, {}, [](const StreamHeader&) {}, [&](const Frame& f) { frames.push_back(f); });
  return frames;
}

// Every test runs on each family's tiny stream: `hnerv` (tiny_config.json) and `grid`
// (tiny_grid_config.json). Each stream is encoded once per process (fitting is the slow part;
// ctest runs each test in a process of its own).
class Codec : public ::testing::TestWithParam<const char*> {
 protected:
  struct Encoded {
    std::string dir, stream;
    EncodeReport report;
  };
  void SetUp() override {
    static std::map<std::string, Encoded> cache;
    static struct Cleanup {
      std::map<std::string, Encoded>* c;
      ~Cleanup() {
        for (auto& [k, e] : *c) test::remove_tree(e.dir);
      }
    } cleanup{&cache};
    Encoded& e = cache[GetParam()];
    if (e.stream.empty()) {
      e.dir =
          (std::filesystem::temp_directory_path() /
           ("nervc-codec-test-" + std::to_string(getpid()) + "-" + std::to_string(cache.size())))
              .string();
      test::remove_tree(e.dir);
      std::filesystem::create_directories(e.dir);
      e.stream = e.dir + "/tiny.nerv";
      e.report = nerv::encode_tiny(e.stream, 0, GetParam());
    }
    dir_ = &e.dir;
    stream_ = &e.stream;
    report_ = &e.report;
  }
  EncodeReport encode_tiny(const std::string& out, uint64_t seed) {
    return nerv::encode_tiny(out, seed, GetParam());
  }
  const std::string* dir_ = nullptr;
  const std::string* stream_ = nullptr;
  const EncodeReport* report_ = nullptr;
};
INSTANTIATE_TEST_SUITE_P(Family, Codec,
                         ::testing::Values("tiny_config.json", "tiny_grid_config.json"),
                         [](const auto& info) {
                           return std::string(info.param) == "tiny_config.json" ? "hnerv" : "grid";
                         });

TEST_P(Codec, ReportsSegmentsAndSize) {
  EXPECT_EQ(report_->frames, 6u);
  ASSERT_EQ(report_->segments.size(), 2u);
  EXPECT_EQ(report_->segments[0].type, SegmentType::Intra);
  EXPECT_EQ(report_->segments[1].type, SegmentType::Residual);
  EXPECT_EQ(report_->bytes, std::filesystem::file_size(*stream_));
}

TEST_P(Codec, DecodeReproducesTheReportedQuality) {
  std::vector<Frame> decoded = decode_all(*stream_);
  auto source = test::read_all(data("foreman_64x64_6f.y4m"));
  ASSERT_EQ(decoded.size(), source.size());
  MetricsAccumulator acc;
  for (size_t i = 0; i < source.size(); ++i) acc.add(source[i], decoded[i]);
  MetricsSummary s = acc.summary();
  EXPECT_DOUBLE_EQ(s.mean.psnr_yuv, report_->metrics.mean.psnr_yuv);
  EXPECT_DOUBLE_EQ(s.mean.psnr_y, report_->metrics.mean.psnr_y);
  // A broken pipeline (wrong weights, wrong planes, wrong order) lands far below this.
  EXPECT_GT(s.mean.psnr_yuv, 24.0);
  for (size_t i = 0; i < decoded.size(); ++i) EXPECT_EQ(decoded[i].index, int64_t(i));
}

// Batches of any size, the last one partial or not, make the same frames: each batch size has
// its own (on a GPU, recorded) run of the network over its own input. Convolution kernels may
// sum in another order for another batch size, so a rare value may round the other way.
TEST_P(Codec, AnyBatchSizeMakesTheSameFrames) {
  std::vector<std::vector<Frame>> runs;
  for (int batch : {1, 2, 3}) {  // segments of 3 frames: 2 + 1 is a partial batch
    BitstreamReader r(*stream_);
    SegmentDecoder dec(r.header());
    dec.set_batch(batch);
    std::vector<Frame> all, frames;
    BitstreamReader::Chunk c;
    while (r.next(c)) {
      if (c.kind != BitstreamReader::Chunk::Segment) continue;
      dec.rebuild(c.segment, c.payload);
      size_t handed = 0;
      size_t batches = 0;
      dec.reconstruct(frames, [&](size_t first, size_t count) {
        EXPECT_EQ(first, handed);
        handed += count;
        ++batches;
        return true;
      });
      EXPECT_EQ(handed, size_t(c.segment.frames));
      EXPECT_EQ(batches, (c.segment.frames + size_t(batch) - 1) / size_t(batch));
      all.insert(all.end(), frames.begin(), frames.end());
    }
    runs.push_back(all);
  }
  ASSERT_EQ(runs[0].size(), 6u);  // two segments
  for (size_t k = 1; k < runs.size(); ++k) {
    size_t values = 0, differ = 0;
    for (size_t i = 0; i < runs[0].size(); ++i) {
      EXPECT_EQ(runs[k][i].index, runs[0][i].index);
      for (size_t p = 0; p < 3; ++p) {
        const auto &a = runs[k][i].planes[p], &b = runs[0][i].planes[p];
        ASSERT_EQ(a.size(), b.size());
        for (size_t j = 0; j < a.size(); ++j) {
          ASSERT_LE(std::abs(int(a[j]) - int(b[j])), 1) << "run " << k << ", frame " << i;
          differ += a[j] != b[j];
        }
        values += a.size();
      }
    }
    EXPECT_LT(double(differ), 0.001 * double(values)) << differ << " of " << values;
    std::printf("batch run %zu: %zu of %zu values differ by one\n", k, differ, values);
  }
}

TEST_P(Codec, SameSeedSameBytesOtherSeedOtherBytes) {
  std::string again = *dir_ + "/again.nerv", other = *dir_ + "/other.nerv";
  encode_tiny(again, 0);
  EXPECT_EQ(slurp(again), slurp(*stream_));
  encode_tiny(other, 1);
  EXPECT_NE(slurp(other), slurp(*stream_));
}

TEST_P(Codec, HeaderRoundTrip) {
  BitstreamReader r(*stream_);
  const StreamHeader& h = r.header();
  EXPECT_EQ(h.width, 64);
  EXPECT_EQ(h.height, 64);
  EXPECT_EQ(h.fps.num, 30000);
  EXPECT_EQ(h.fps.den, 1001);
  EXPECT_EQ(h.frame_count, 6u);
  EXPECT_EQ(h.segment_frames, 3u);
  EXPECT_EQ(h.intra_period, 2u);
  std::vector<uint8_t> file = slurp(*stream_), written = write_stream_header(h);
  ASSERT_LT(written.size(), file.size());
  EXPECT_TRUE(std::equal(written.begin(), written.end(), file.begin()));
  BitstreamReader::Chunk c;
  int segments = 0, index = 0, ends = 0;
  while (r.next(c)) {
    segments += c.kind == BitstreamReader::Chunk::Segment;
    index += c.kind == BitstreamReader::Chunk::Index;
    ends += c.kind == BitstreamReader::Chunk::End;
    if (c.kind == BitstreamReader::Chunk::Index) {
      ASSERT_EQ(c.index.size(), 1u);
      EXPECT_EQ(c.index[0].offset, write_stream_header(h).size());
    }
    if (c.kind == BitstreamReader::Chunk::Segment) {  // writing the chunk again gives its bytes
      std::vector<uint8_t> again = write_segment_chunk(c.segment, c.payload);
      EXPECT_EQ(again.size(), c.payload.size() + 29);
      ASSERT_LE(c.segment.offset + again.size(), file.size());
      EXPECT_TRUE(std::equal(again.begin(), again.end(), file.begin() + long(c.segment.offset)))
          << "segment " << c.segment.index;
    }
  }
  EXPECT_EQ(segments, 2);
  EXPECT_EQ(index, 1);
  EXPECT_EQ(ends, 1);
}

// Reads every chunk and rebuilds every segment's weights: the decoder minus the network run,
// which does not depend on the bytes (a full decode of each case would take minutes).
void parse_all(const std::string& path) {
  BitstreamReader r(path);
  SegmentDecoder dec(r.header());
  BitstreamReader::Chunk c;
  while (r.next(c))
    if (c.kind == BitstreamReader::Chunk::Segment) dec.rebuild(c.segment, c.payload);
}

// Every truncation ends in a clean error, never a crash, hang or partial success.
TEST_P(Codec, TruncationAtEveryOffsetIsACleanError) {
  std::vector<uint8_t> full = slurp(*stream_);
  std::string cut = *dir_ + "/cut.nerv";
  for (size_t len = 0; len < full.size(); ++len) {
    spit(cut, std::vector<uint8_t>(full.begin(), full.begin() + long(len)));
    EXPECT_THROW(parse_all(cut), Error) << "length " << len;
    if (len % 101 == 0) EXPECT_THROW(decode_all(cut), Error) << "length " << len;
  }
}

// A flipped byte anywhere is a clean error: the CRC-32 of every chunk (and of the header)
// covers every byte, so no flip can decode.
TEST_P(Codec, RandomByteFlipsAreCleanErrors) {
  std::vector<uint8_t> full = slurp(*stream_);
  std::string bad = *dir_ + "/flip.nerv";
  std::mt19937 rng(9);
  int errors = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> b = full;
    size_t pos = rng() % b.size();
    b[pos] ^= uint8_t(1 + rng() % 255);
    spit(bad, b);
    try {
      decode_all(bad);
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_EQ(errors, 300);  // CRC-32 covers every byte
}

// Reads `bytes` through a named pipe (no seeking, no size) as a player on `-` with
// --skip-errors would: every chunk next() returns, with resync() after each error.
std::vector<BitstreamReader::Chunk> read_pipe_with_resync(const std::string& fifo,
                                                          const std::vector<uint8_t>& bytes) {
  std::thread writer([&] {
    std::ofstream f(fifo, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  });
  std::vector<BitstreamReader::Chunk> chunks;
  try {
    BitstreamReader r(fifo);
    EXPECT_FALSE(r.seekable());
    r.allow_resync();
    for (int guard = 0; guard < 100; ++guard) {
      BitstreamReader::Chunk c;
      bool more;
      try {
        more = r.next(c);
      } catch (const Error&) {
        more = r.resync(c);
      }
      if (!more) break;
      chunks.push_back(c);
    }
  } catch (const Error&) {  // a damaged stream header: nothing to resynchronise on
  }
  writer.join();
  return chunks;
}

std::vector<BitstreamReader::Chunk> segments_of(const std::vector<BitstreamReader::Chunk>& v) {
  std::vector<BitstreamReader::Chunk> out;
  for (const auto& c : v)
    if (c.kind == BitstreamReader::Chunk::Segment) out.push_back(c);
  return out;
}

// Any damage inside one segment's chunk, its header fields and tag included: a reader on a
// pipe passes over that segment, returns the other exactly as written, and still reaches the
// end chunk (whose totals then exceed what was read).
TEST_P(Codec, PipeResyncFindsTheNextIntactChunk) {
  std::vector<uint8_t> full = slurp(*stream_);
  std::string fifo = test::scratch().string() + "/pipe";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::vector<BitstreamReader::Chunk> all = read_pipe_with_resync(fifo, full);
  std::vector<BitstreamReader::Chunk> clean = segments_of(all);
  ASSERT_EQ(clean.size(), 2u);
  ASSERT_EQ(all.back().kind, BitstreamReader::Chunk::End);
  size_t first = size_t(clean[0].segment.offset), second = size_t(clean[1].segment.offset);
  size_t index = size_t(all.back().end.index_offset);
  std::mt19937 rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    int damaged = trial % 2;  // the segment hit
    size_t lo = damaged ? second : first, hi = damaged ? index : second;
    std::vector<uint8_t> b = full;
    for (int k = 0; k < 1 + trial % 3; ++k) b[lo + rng() % (hi - lo)] ^= uint8_t(1 + rng() % 255);
    std::vector<BitstreamReader::Chunk> got = read_pipe_with_resync(fifo, b);
    ASSERT_FALSE(got.empty()) << "trial " << trial;
    EXPECT_EQ(got.back().kind, BitstreamReader::Chunk::End) << "trial " << trial;
    std::vector<BitstreamReader::Chunk> seg = segments_of(got);
    ASSERT_EQ(seg.size(), 1u) << "trial " << trial;
    const BitstreamReader::Chunk& kept = clean[size_t(1 - damaged)];
    EXPECT_EQ(seg[0].segment.index, kept.segment.index);
    EXPECT_EQ(seg[0].segment.offset, kept.segment.offset);
    EXPECT_EQ(seg[0].payload, kept.payload);
  }
}

void expect_error(const std::string& path, const std::string& needle) {
  try {
    decode_all(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST_P(Codec, NamedErrors) {
  std::vector<uint8_t> full = slurp(*stream_);
  std::string p = *dir_ + "/named.nerv";
  std::vector<uint8_t> b = full;
  b[0] = 'X';
  spit(p, b);
  expect_error(p, "not a .nerv stream");
  b = full;
  b[4] = 9;
  spit(p, b);
  expect_error(p, "unsupported .nerv version 9");
  b = full;
  size_t seg1 = write_stream_header(BitstreamReader(*stream_).header()).size() + 40;
  b[seg1] ^= 0x55;
  spit(p, b);
  expect_error(p, "segment 0: CRC mismatch");
  expect_error(*dir_ + "/missing.nerv", "no such file");
}

// A residual segment needs the segment before it, also at the start of a stream (a fuzzer's
// find: segment 0 marked residual, its CRC intact, once reached for weights never decoded).
TEST_P(Codec, AResidualFirstSegmentIsRefused) {
  BitstreamReader r(*stream_);
  BitstreamReader::Chunk c;
  ASSERT_TRUE(r.next(c));
  ASSERT_EQ(c.segment.index, 0u);
  c.segment.type = SegmentType::Residual;
  std::vector<uint8_t> b = write_stream_header(r.header());
  std::vector<uint8_t> seg = write_segment_chunk(c.segment, c.payload);
  b.insert(b.end(), seg.begin(), seg.end());
  std::vector<uint8_t> full = slurp(*stream_);  // the rest as it was: same sizes, same offsets
  b.insert(b.end(), full.begin() + long(r.position()), full.end());
  std::string p = *dir_ + "/residual_first.nerv";
  spit(p, b);
  expect_error(p, "segment 0: residual segment without its previous segment");
}

// A header that claims absurd sizes is refused before anything big is allocated.
TEST(Bitstream, AbsurdHeaderFieldsAreRefused) {
  StreamHeader h;
  h.width = 64;
  h.height = 64;
  h.segment_frames = 4;
  h.intra_period = 1;
  h.config = {{"model", nlohmann::json::object()}, {"quant", nlohmann::json::object()}};
  auto dir = test::scratch();
  std::string p = (dir / "h.nerv").string();
  auto with = [&](auto edit) {
    StreamHeader x = h;
    edit(x);
    spit(p, write_stream_header(x));
    try {
      BitstreamReader r(p);
      decode_stream(
          p, {}, [](const StreamHeader&) {}, [](const Frame&) {});
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(with([](StreamHeader& x) { x.width = 1 << 20; }).find("out of range"),
            std::string::npos);
  EXPECT_NE(with([](StreamHeader& x) { x.fps = {0, 1}; }).find("frame rate"), std::string::npos);
  EXPECT_NE(with([](StreamHeader& x) { x.segment_frames = 100000; }).find("out of range"),
            std::string::npos);
  EXPECT_NE(with([](StreamHeader& x) {}).find("missing key 'arch'"), std::string::npos);
}

// §3.1 symbol ranges, on payloads written here for the tiny hnerv model of
// tests/data/truncated.nerv (b_e = 6), every block with coder 1 so that any int32 can be sent.
class PayloadRanges : public ::testing::Test {
 protected:
  void SetUp() override {
    header_ = BitstreamReader(data("truncated.nerv")).header();
    nlohmann::json model_cfg;
    QuantConfig quant;
    parse_decoder_config(header_.config, model_cfg, quant);
    ASSERT_EQ(quant.embed_bits, 6);
    auto model = make_model(model_cfg, header_.width, header_.height);
    shapes_ = coded_shapes(*model);
    std::vector<int64_t> e = model->embedding_shape();
    channels_ = size_t(e[0]);
    size_t numel = 1;
    for (int64_t d : e) numel *= size_t(d);
    embed_.assign(numel * kFrames, 0);
    for (const TensorShape& t : shapes_) weights_.push_back(std::vector<int32_t>(t.numel(), 0));
  }
  std::vector<uint8_t> payload(SegmentType type,
                               const std::vector<std::vector<int32_t>>& weights) const {
    ByteWriter w;
    auto block = [&](const std::vector<int32_t>& s) {
      std::vector<uint8_t> b = hts_encode(s);
      w.u8(1);
      w.u32(uint32_t(b.size()));
      w.bytes(b);
    };
    for (size_t c = 0; c < channels_; ++c) {
      w.f32(-1.0f);
      w.f32(0.03125f);
    }
    block(embed_);
    for (size_t t = 0; t < shapes_.size(); ++t) {
      if (type == SegmentType::Intra)
        for (size_t c = 0; c < shapes_[t].channels(); ++c) w.u16(bf16_bits(0.0078125f));
      block(weights[t]);
    }
    return w.data();
  }
  // The error of rebuilding an intra segment with weights_ and then, if given, a residual one
  // whose changes are `residual`; "accepted" if none.
  std::string rebuild(const std::vector<std::vector<int32_t>>* residual = nullptr) {
    SegmentDecoder dec(header_);
    SegmentHeader sh;
    sh.frames = kFrames;
    try {
      dec.rebuild(sh, payload(SegmentType::Intra, weights_));
      if (residual) {
        sh.type = SegmentType::Residual;
        sh.index = 1;
        sh.first_frame = kFrames;
        dec.rebuild(sh, payload(SegmentType::Residual, *residual));
      }
    } catch (const Error& e) {
      return e.what();
    }
    return "accepted";
  }
  static constexpr uint32_t kFrames = 3;
  StreamHeader header_;
  std::vector<TensorShape> shapes_;
  size_t channels_ = 0;
  std::vector<int32_t> embed_;
  std::vector<std::vector<int32_t>> weights_;
};

TEST_F(PayloadRanges, EmbeddingSymbolsOutsideTheirBitsAreRejected) {
  EXPECT_EQ(rebuild(), "accepted");
  embed_[5] = -32;  // -2^(b_e-1) ... 2^(b_e-1) - 1
  embed_[6] = 31;
  EXPECT_EQ(rebuild(), "accepted");
  // The largest a block can hold (§6: |v| <= 2^30; beyond, the entropy decoder refuses it).
  const int32_t big = int32_t(kMaxBlockSymbol);
  for (int32_t bad : {big, -big, 32, -33}) {
    embed_[5] = bad;
    std::string e = rebuild();
    EXPECT_NE(e.find("segment 0: embedding symbol " + std::to_string(bad) + " out of range"),
              std::string::npos)
        << e;
  }
}

TEST_F(PayloadRanges, WeightSymbolsBeyondTwoToTheTwentyAreRejected) {
  weights_[0][0] = kMaxSymbol;
  weights_.back().back() = -kMaxSymbol;
  EXPECT_EQ(rebuild(), "accepted");
  const int32_t big = int32_t(kMaxBlockSymbol);
  for (int32_t bad : {kMaxSymbol + 1, -kMaxSymbol - 1, big, -big}) {
    weights_[0][0] = bad;
    std::string e = rebuild();
    EXPECT_NE(e.find("segment 0: weight symbol " + std::to_string(bad) + " out of range"),
              std::string::npos)
        << e;
  }
}

TEST_F(PayloadRanges, ResidualChangesStayWithinTheWeightRange) {
  weights_[0][0] = kMaxSymbol;
  std::vector<std::vector<int32_t>> change = weights_;
  for (auto& t : change) std::fill(t.begin(), t.end(), 0);
  change[0][0] = -2 * kMaxSymbol;  // q = -2^20: the largest change there is
  EXPECT_EQ(rebuild(&change), "accepted");
  change[0][0] = 1;  // q = 2^20 + 1
  EXPECT_NE(rebuild(&change).find("segment 1: weight out of range"), std::string::npos)
      << rebuild(&change);
  change[0][0] = -int32_t(kMaxBlockSymbol);
  EXPECT_NE(rebuild(&change).find("segment 1: weight change " + std::to_string(change[0][0]) +
                                  " out of range"),
            std::string::npos)
      << rebuild(&change);
}

TEST(Config, StrictParsing) {
  CodecConfig c = load_preset("xs");
  EXPECT_EQ(c.name, "xs");
  EXPECT_GE(preset_names().size(), 4u);
  EXPECT_THROW(load_preset("nope"), Error);
  nlohmann::json j = nlohmann::json::parse(std::ifstream(data("tiny_config.json")));
  auto err = [&](nlohmann::json bad) {
    try {
      parse_codec_config(bad, "cfg");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  nlohmann::json b = j;
  b["model"]["chanels"] = 3;
  EXPECT_EQ(err(b), "model: unknown key 'chanels'");
  b = j;
  b["model"]["channels"] = {12, 8};
  EXPECT_NE(err(b).find("model.channels"), std::string::npos);
  b = j;
  b["model"]["kernel_sizes"] = {2, 3, 3};
  EXPECT_NE(err(b).find("odd"), std::string::npos);
  b = j;
  b["train"]["epochs"] = -1;
  EXPECT_NE(err(b).find("cfg.train.epochs: out of range"), std::string::npos);
  b = j;
  b["segment_frames"] = "many";
  EXPECT_NE(err(b).find("expected an integer"), std::string::npos);
  b = j;
  b["model"]["arch"] = "transformer";
  EXPECT_NE(err(b).find("unknown architecture"), std::string::npos);
}

}  // namespace
}  // namespace nerv

namespace nerv {
namespace {

// Odd sizes: padded to the network's stride, chroma rounded up, cropped back exactly.
TEST(CodecOddSize, EncodesAndDecodesOddDimensions) {
  auto dir = test::scratch();
  std::string stream = (dir / "odd.nerv").string();
  auto reader = open_video_reader(test::data("foreman_37x29_2f.y4m"), {});
  EncodeOptions opt;
  opt.cfg = load_config_file(test::data("tiny_config.json"));
  EncodeReport r = encode_video(*reader, stream, opt, nullptr);
  std::vector<Frame> decoded;
  decode_stream(
      stream, {}, [](const StreamHeader&) {}, [&](const Frame& f) { decoded.push_back(f); });
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_EQ(decoded[0].width, 37);
  EXPECT_EQ(decoded[0].height, 29);
  EXPECT_EQ(decoded[0].plane_width(1), 19);
  EXPECT_EQ(decoded[0].plane_height(1), 15);
  auto source = test::read_all(test::data("foreman_37x29_2f.y4m"));
  MetricsAccumulator acc;
  for (size_t i = 0; i < 2; ++i) acc.add(source[i], decoded[i]);
  EXPECT_DOUBLE_EQ(acc.summary().mean.psnr_yuv, r.metrics.mean.psnr_yuv);
  EXPECT_GT(r.metrics.mean.psnr_yuv, 20.0);
}

// With the input's length known, a tail of at most half a segment joins the segment before it
// (five frames in segments of two: 2 + 3, not 2 + 2 + 1); unknown, segments are cut as read.
TEST(CodecSegments, AShortTailJoinsTheSegmentBefore) {
  auto dir = test::scratch();
  for (int64_t expected : {5, -1}) {
    std::string stream = (dir / ("tail" + std::to_string(expected) + ".nerv")).string();
    ReadOptions ro;
    ro.max_frames = 5;
    auto reader = open_video_reader(test::data("foreman_64x64_6f.y4m"), ro);
    EncodeOptions opt;
    opt.cfg = load_config_file(test::data("tiny_grid_config.json"));
    opt.cfg.segment_frames = 2;
    opt.cfg.train.epochs = 20;
    opt.expected_frames = expected;
    EncodeReport r = encode_video(*reader, stream, opt, nullptr);
    std::vector<uint32_t> frames;
    for (const SegmentReport& s : r.segments) frames.push_back(s.frames);
    EXPECT_EQ(frames,
              expected > 0 ? std::vector<uint32_t>({2, 3}) : std::vector<uint32_t>({2, 2, 1}));
    EXPECT_EQ(r.segments[1].type, SegmentType::Residual);
    BitstreamReader br(stream);
    EXPECT_EQ(br.header().segment_frames, expected > 0 ? 3u : 2u);
    std::vector<Frame> decoded;
    decode_stream(
        stream, {}, [](const StreamHeader&) {}, [&](const Frame& f) { decoded.push_back(f); });
    ASSERT_EQ(decoded.size(), 5u);
    auto source = test::read_all(test::data("foreman_64x64_6f.y4m"));
    MetricsAccumulator acc;
    for (size_t i = 0; i < 5; ++i) acc.add(source[i], decoded[i]);
    EXPECT_DOUBLE_EQ(acc.summary().mean.psnr_yuv, r.metrics.mean.psnr_yuv);
  }
}

}  // namespace
}  // namespace nerv
