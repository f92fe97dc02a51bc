// Entropy coders: exact round trips on random, skewed and extreme symbol streams, sizes near
// the order-0 entropy on skewed data, and clean errors on garbage.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "codec/quant.h"
#include "codec/symbol_coders.h"
#include "io/error.h"

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
