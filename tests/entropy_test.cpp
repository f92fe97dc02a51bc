// Entropy coders: exact round trips on random, skewed and extreme symbol streams, sizes near
// the order-0 entropy on skewed data, and clean errors on garbage.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>

#include "base/error.h"
#include "codec/byte_io.h"
#include "codec/quant.h"
#include "codec/segment_payload.h"
#include "codec/symbol_coders.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

std::vector<int32_t> laplacian(size_t n, double scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<double> e(1.0 / scale);
  std::bernoulli_distribution sign(0.5);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = int32_t(std::lround(e(rng))) * (sign(rng) ? 1 : -1);
  return v;
}

void round_trip(const std::vector<int32_t>& s) {
  std::vector<uint8_t> a = cabac_encode(s);
  EXPECT_EQ(cabac_decode(a.data(), a.size(), s.size()), s);
  std::vector<uint8_t> h = hts_encode(s);
  EXPECT_EQ(hts_decode(h.data(), h.size(), s.size()), s);
}

TEST(Entropy, RoundTripUniformRandom) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> d(-128, 127);
  std::vector<int32_t> s(20000);
  for (auto& x : s) x = d(rng);
  round_trip(s);
}

TEST(Entropy, RoundTripSkewedAndSparse) {
  round_trip(laplacian(30000, 0.7, 2));
  round_trip(laplacian(30000, 40, 3));
  std::vector<int32_t> zeros(5000, 0);
  round_trip(zeros);
  zeros[4000] = -3;
  round_trip(zeros);
}

TEST(Entropy, RoundTripExtremesAndEmpty) {
  round_trip({});
  round_trip({0});
  round_trip({kMaxSymbol, -kMaxSymbol, 2 * kMaxSymbol, -2 * kMaxSymbol, 254, 255, 256, -127, -128});
}

TEST(Entropy, SkewedDataCodesNearItsEntropy) {
  std::vector<int32_t> s = laplacian(50000, 1.5, 4);
  double bound = order0_entropy_bits(s) / 8;
  EXPECT_LT(cabac_encode(s).size(), bound * 1.05 + 64);
  EXPECT_LT(hts_encode(s).size(), bound * 1.05 + 64);
  // A constant stream costs almost nothing (the adaptation floor is ~0.02 bit per symbol).
  EXPECT_LT(cabac_encode(std::vector<int32_t>(50000, 0)).size(), 50000 * 0.03 / 8);
}

TEST(Entropy, OrderZeroEntropy) {
  EXPECT_DOUBLE_EQ(order0_entropy_bits({1, 1, 1, 1}), 0.0);
  EXPECT_DOUBLE_EQ(order0_entropy_bits({0, 1, 0, 1}), 4.0);
  EXPECT_DOUBLE_EQ(order0_entropy_bits({0, 1, 2, 3}), 8.0);
}

TEST(Entropy, GarbageNeverCrashes) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> junk(size_t(rng() % 64));
    for (auto& b : junk) b = uint8_t(rng());
    try {
      auto v = cabac_decode(junk.data(), junk.size(), 100);
      EXPECT_EQ(v.size(), 100u);
    } catch (const Error&) {
    }
    try {
      auto v = hts_decode(junk.data(), junk.size(), 100);
      EXPECT_EQ(v.size(), 100u);
    } catch (const Error&) {
    }
  }
}

std::string hts_error(const std::vector<uint8_t>& b, size_t count) {
  try {
    hts_decode(b.data(), b.size(), count);
  } catch (const Error& e) {
    return e.what();
  }
  return "accepted";
}

// §6.2: the encoder writes order byte 0x00 (adaptive order 0) or 0x20 (stored: X_CAT, where
// coding would not make it smaller); a decoder refuses every other value, even those that
// libhtscodecs itself would decode (order 1, RLE, bit packing, stripes, no size).
TEST(Entropy, HtsOrderByteIsPinned) {
  std::mt19937 rng(12);
  std::vector<std::vector<int32_t>> inputs = {{0}, {3, -3}, laplacian(5000, 0.7, 13)};
  for (int n = 1; n < 40; ++n) {  // short runs of random bytes: some are stored, some coded
    std::vector<int32_t> s(static_cast<size_t>(n));
    for (auto& x : s) x = int32_t(rng() % 255) - 127;
    inputs.push_back(s);
  }
  std::set<int> seen;
  for (const auto& s : inputs) {
    std::vector<uint8_t> b = hts_encode(s);
    ASSERT_GT(b.size(), 4u);
    seen.insert(b[4]);  // after packed_size
  }
  EXPECT_EQ(seen, (std::set<int>{0x00, 0x20}));

  for (uint8_t stored : {0x00, 0x20}) {
    std::vector<int32_t> s = stored ? std::vector<int32_t>{5} : laplacian(5000, 0.7, 14);
    std::vector<uint8_t> b = hts_encode(s);
    ASSERT_EQ(b[4], stored);
    EXPECT_EQ(hts_decode(b.data(), b.size(), s.size()), s);
    for (int order = 0; order < 256; ++order) {
      if (order == 0x00 || order == 0x20) continue;
      std::vector<uint8_t> bad = b;
      bad[4] = uint8_t(order);
      std::string e = hts_error(bad, s.size());
      EXPECT_NE(e.find("order byte"), std::string::npos) << "order " << order << ": " << e;
    }
  }
  // One that libhtscodecs decodes: a stored block that also claims order 1.
  std::vector<uint8_t> b = hts_encode({5});
  b[4] = 0x21;
  EXPECT_NE(hts_error(b, 1).find("order byte"), std::string::npos) << hts_error(b, 1);
}

TEST(Entropy, HtsTrailingBytesAreRejected) {
  for (const std::vector<int32_t>& s :
       {std::vector<int32_t>{}, {1, 2, 3}, {1, 300, -400, 2}, laplacian(3000, 40, 15)}) {
    std::vector<uint8_t> b = hts_encode(s);
    EXPECT_EQ(hts_decode(b.data(), b.size(), s.size()), s);
    b.push_back(0);  // after the last escape (or where it would be)
    EXPECT_NE(hts_error(b, s.size()).find("trailing"), std::string::npos)
        << s.size() << " symbols: " << hts_error(b, s.size());
  }
}

// An escape's z = 255 + varint must fit 32 bits: 255 + (2^32 - 1) would wrap to 254.
TEST(Entropy, HtsEscapeBeyond32BitsIsRejected) {
  std::vector<uint8_t> b = hts_encode({-128});  // z = 255: an escape of 0
  ASSERT_EQ(b.back(), 0x00);
  b.pop_back();
  for (uint8_t x : {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}) b.push_back(x);  // 2^32 - 1
  EXPECT_NE(hts_error(b, 1).find("escape"), std::string::npos) << hts_error(b, 1);
  // z = 2^32 - 1 fits the escape but is the symbol -2^31, beyond a block's range (§6).
  b.resize(b.size() - 5);
  for (uint8_t x : {0x80, 0xFE, 0xFF, 0xFF, 0x0F}) b.push_back(x);  // 2^32 - 1 - 255
  EXPECT_NE(hts_error(b, 1).find("symbol out of range"), std::string::npos) << hts_error(b, 1);
}

// §6: every block symbol has |v| <= 2^30. Both coders code the extremes; both encoders refuse
// anything beyond, and so do both decoders (coder 1's escapes could carry up to 2^31).
TEST(Entropy, BlockSymbolsStayWithinTwoToTheThirty) {
  const int32_t big = int32_t(kMaxBlockSymbol);
  round_trip({big, -big, 0, big - 1, -big + 1});
  for (int32_t bad : {big + 1, -big - 1, INT32_MAX, INT32_MIN}) {
    EXPECT_THROW(cabac_encode({bad}), Error) << bad;
    EXPECT_THROW(hts_encode({bad}), Error) << bad;
  }
}

// Found by fuzz/entropy_decoders (scripts/fuzz.sh): a coder-1 block whose escapes decode to
// symbols beyond 2^30 was accepted, and re-coding those symbols picked coder 0, which cannot
// hold them, so the encoder wrote a block no decoder reads. The input is the harness's
// (fuzz/entropy_decoders.cpp, mode 0): a mode byte, u16 symbol count, then the block.
TEST(Entropy, FuzzFoundHtsSymbolBeyondCabacIsRefused) {
  std::ifstream f(test::data("fuzz/entropy_decoders-hts-symbol-beyond-cabac"), std::ios::binary);
  std::vector<uint8_t> in((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GT(in.size(), 3u);
  size_t count = (in[1] | size_t(in[2]) << 8) % 4097;
  ByteReader r(in.data() + 3, in.size() - 3, "block");
  try {
    std::vector<int32_t> s = read_block(r, count, nullptr);
    ByteWriter w;  // whatever decodes must re-code
    write_block(w, s, nullptr);
    ByteReader back(w.data().data(), w.size(), "again");
    EXPECT_EQ(read_block(back, count, nullptr), s);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("symbol out of range"), std::string::npos) << e.what();
  }
}

TEST(Quant, WeightRoundTripWithinHalfStep) {
  std::mt19937 rng(6);
  std::normal_distribution<float> d(0, 0.1f);
  std::vector<float> w(8 * 27);
  for (auto& x : w) x = d(rng);
  WeightGrid g = make_weight_grid(w.data(), w.size(), 8, 8);
  ASSERT_EQ(g.step.size(), 8u);
  std::vector<int32_t> q(w.size());
  quantize_weights(w.data(), w.size(), g, q.data());
  std::vector<float> back(w.size());
  dequantize_weights(q.data(), q.size(), g, back.data());
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_LE(std::abs(q[i]), 127);
    EXPECT_LE(std::fabs(back[i] - w[i]), g.step[i / 27] * 0.5f + 1e-7f);
  }
  // Zero is exact and an all-zero channel is harmless.
  std::vector<float> zeros(10, 0.f);
  WeightGrid gz = make_weight_grid(zeros.data(), 10, 1, 8);
  quantize_weights(zeros.data(), 10, gz, q.data());
  dequantize_weights(q.data(), 10, gz, back.data());
  EXPECT_EQ(back[3], 0.f);
}

TEST(Quant, AffineRoundTripWithinHalfStep) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-3, 5);
  size_t n = 4, c = 3, inner = 10;
  std::vector<float> x(n * c * inner);
  for (auto& v : x) v = d(rng);
  AffineGrid g = make_affine_grid(x.data(), n, c, inner, 6);
  std::vector<int32_t> s(x.size());
  quantize_affine(x.data(), n, inner, g, 6, s.data());
  std::vector<float> back(x.size());
  dequantize_affine(s.data(), n, inner, g, 6, back.data());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_GE(s[i], -32);
    EXPECT_LE(s[i], 31);
    EXPECT_LE(std::fabs(back[i] - x[i]), g.step[(i / inner) % c] * 0.5f + 1e-5f);
  }
}

// The residual chain: integers on a fixed grid rebuild exactly the encoder's weights.
TEST(Quant, ResidualChainIsBitExact) {
  std::mt19937 rng(8);
  std::normal_distribution<float> d(0, 0.05f), drift(0, 0.002f);
  std::vector<float> w(6 * 9);
  for (auto& x : w) x = d(rng);
  WeightGrid g = make_weight_grid(w.data(), w.size(), 6, 8);
  std::vector<int32_t> enc_q(w.size()), dec_q(w.size());
  quantize_weights(w.data(), w.size(), g, enc_q.data());
  dec_q = enc_q;  // the intra segment
  for (int seg = 0; seg < 20; ++seg) {
    for (auto& x : w) x += drift(rng) * 3;  // weights move, even beyond the intra range
    std::vector<int32_t> q(w.size()), diff(w.size());
    quantize_weights(w.data(), w.size(), g, q.data());
    for (size_t i = 0; i < q.size(); ++i) diff[i] = q[i] - enc_q[i];
    enc_q = q;
    std::vector<uint8_t> bytes = cabac_encode(diff);
    std::vector<int32_t> got = cabac_decode(bytes.data(), bytes.size(), diff.size());
    for (size_t i = 0; i < got.size(); ++i) dec_q[i] += got[i];
    std::vector<float> we(w.size()), wd(w.size());
    dequantize_weights(enc_q.data(), w.size(), g, we.data());
    dequantize_weights(dec_q.data(), w.size(), g, wd.data());
    ASSERT_EQ(0, std::memcmp(we.data(), wd.data(), we.size() * sizeof(float))) << "segment " << seg;
  }
}

// Dequantisation is defined in double and rounded once: pin a few exact bit patterns so a
// change of the arithmetic (and a decoder on another machine) would be caught.
TEST(Quant, DequantisationBitPatternsArePinned) {
  WeightGrid g{{0.0123456789f}};
  int32_t q[3] = {1, -77, 127};
  float w[3];
  dequantize_weights(q, 3, g, w);
  uint32_t bits[3];
  std::memcpy(bits, w, sizeof bits);
  // Computed independently with numpy: float32(float64(step) * q).
  EXPECT_EQ(bits[0], 0x3c4a4588u);
  EXPECT_EQ(bits[1], 0xbf735ba8u);
  EXPECT_EQ(bits[2], 0x3fc8b0fdu);
}

}  // namespace
}  // namespace nerv
