// Multi-symbol range coder and the integer discretised Laplace latent coder: exact round trips
// on random, extreme and degenerate streams, costs that match the coded size and the ideal
// Laplace code length, a well-formed cumulative table for every level, clean errors on garbage.
#include "codec/range_coder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "base/error.h"
#include "codec/laplace_coder.h"

namespace nerv {
namespace {

constexpr uint32_t kTotal = 1u << kRangeTotalBits;

// One coded event: a symbol [cum, cum + freq) or `bits` bypass bits of value.
struct Op {
  bool bypass;
  uint32_t a;  // cum or value
  uint32_t b;  // freq or bits
};

void round_trip_ops(const std::vector<Op>& ops) {
  RangeEncoder e;
  for (const Op& op : ops) {
    if (op.bypass)
      e.bypass(op.a, int(op.b));
    else
      e.encode(op.a, op.b);
  }
  std::vector<uint8_t> bytes = e.finish();
  RangeDecoder d(bytes.data(), bytes.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    if (op.bypass) {
      ASSERT_EQ(d.bypass(int(op.b)), op.a & ((1u << op.b) - 1)) << "op " << i;
    } else {
      uint32_t t = d.target();
      ASSERT_GE(t, op.a) << "op " << i;
      ASSERT_LT(t, op.a + op.b) << "op " << i;
      d.consume(op.a, op.b);
    }
  }
}

TEST(RangeCoder, RoundTripRandomSymbolsAndBypass) {
  std::mt19937 rng(11);
  std::vector<Op> ops;
  for (int i = 0; i < 200000; ++i) {
    uint32_t kind = rng() % 8;
    if (kind == 0) {
      ops.push_back({true, uint32_t(rng()), uint32_t(1 + rng() % 16)});
      continue;
    }
    uint32_t freq = kind == 1   ? 1
                    : kind == 2 ? 65535
                    : kind == 3 ? kTotal
                    : kind == 4 ? 1 + rng() % 16
                                : 1 + rng() % kTotal;
    ops.push_back({false, uint32_t(rng() % (kTotal - freq + 1)), freq});
  }
  round_trip_ops(ops);
}

TEST(RangeCoder, LongRunsAndEmpty) {
  round_trip_ops({});
  std::vector<uint8_t> empty = RangeEncoder().finish();
  EXPECT_TRUE(empty.empty());  // trailing zeros are dropped

  // A near-certain symbol costs almost nothing; a frequency-1 one exactly 16 bits.
  std::vector<Op> likely(100000, Op{false, 0, 65535});
  round_trip_ops(likely);
  RangeEncoder a;
  for (const Op& op : likely) a.encode(op.a, op.b);
  EXPECT_LT(a.finish().size(), 100u);

  std::vector<Op> rare(20000, Op{false, 65535, 1});
  round_trip_ops(rare);
  RangeEncoder b;
  for (const Op& op : rare) b.encode(op.a, op.b);
  size_t n = b.finish().size();
  EXPECT_GE(n, 40000u - 8);
  EXPECT_LE(n, 40000u + 40);

  std::vector<Op> bits(50000, Op{true, 0xFFFF, 16});
  for (size_t i = 0; i < bits.size(); i += 3) bits[i] = {true, 0, 16};
  round_trip_ops(bits);
}

TEST(RangeCoder, RejectsBadArguments) {
  RangeEncoder e;
  EXPECT_THROW(e.encode(0, 0), Error);
  EXPECT_THROW(e.encode(65535, 2), Error);
  EXPECT_THROW(e.encode(0xFFFFFFFFu, 2), Error);
  EXPECT_THROW(e.bypass(0, 0), Error);
  EXPECT_THROW(e.bypass(0, 17), Error);
}

TEST(RangeCoder, GarbageTargetsStayInRange) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> junk(size_t(rng() % 40));
    for (auto& b : junk) b = uint8_t(rng());
    RangeDecoder d(junk.data(), junk.size());
    for (int i = 0; i < 50; ++i) {
      uint32_t t = d.target();
      ASSERT_LT(t, kTotal);
      // Take the symbol the target falls in, from a fixed partition of 16 equal symbols.
      uint32_t cum = t & ~0xFFFu;
      d.consume(cum, 0x1000);
      ASSERT_LT(d.bypass(1 + i % 16), 1u << (1 + i % 16));
    }
  }
}

// --- Laplace latent coder ---

struct Latent {
  int32_t v;
  int32_t mu16;
  int k;
};

std::vector<uint8_t> encode_all(const std::vector<Latent>& s) {
  RangeEncoder e;
  for (const Latent& x : s) laplace_encode(e, x.v, x.mu16, x.k);
  return e.finish();
}

void laplace_round_trip(const std::vector<Latent>& s) {
  std::vector<uint8_t> bytes = encode_all(s);
  RangeDecoder d(bytes.data(), bytes.size());
  for (size_t i = 0; i < s.size(); ++i)
    ASSERT_EQ(laplace_decode(d, s[i].mu16, s[i].k), s[i].v)
        << "latent " << i << " mu16 " << s[i].mu16 << " k " << s[i].k;
}

// Samples a latent from Laplace(mu16 / 16, b_k), rounded to the nearest integer.
int32_t sample(std::mt19937& rng, int32_t mu16, int k) {
  std::exponential_distribution<double> e(1.0 / scale_of_level(k));
  double x = mu16 / 16.0 + (rng() & 1 ? e(rng) : -e(rng));
  return int32_t(std::clamp(std::floor(x + 0.5), double(-kMaxLatent), double(kMaxLatent)));
}

// -log2 of the continuous Laplace(mu, b) mass of [v - 1/2, v + 1/2].
double ideal_bits(int32_t v, double mu, double b) {
  double lo = v - 0.5 - mu, hi = v + 0.5 - mu;
  double p;
  if (hi <= 0)
    p = 0.5 * (std::exp(hi / b) - std::exp(lo / b));
  else if (lo >= 0)
    p = 0.5 * (std::exp(-lo / b) - std::exp(-hi / b));
  else
    p = 1 - 0.5 * std::exp(lo / b) - 0.5 * std::exp(-hi / b);
  return -std::log2(p);
}

std::vector<Latent> typical(size_t n, int k_lo, int k_hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Latent> s(n);
  for (auto& x : s) {
    x.k = k_lo + int(rng() % uint32_t(k_hi - k_lo + 1));
    x.mu16 = int32_t(rng() % 4001) - 2000;
    x.v = sample(rng, x.mu16, x.k);
  }
  return s;
}

TEST(Laplace, RoundTripRandom) {
  laplace_round_trip(typical(100000, 0, kScaleLevels - 1, 21));
  laplace_round_trip(typical(100000, 20, 40, 22));
}

TEST(Laplace, RoundTripExtremes) {
  std::mt19937 rng(23);
  std::vector<Latent> s;
  const int32_t big = kMaxLatent << kMeanFracBits;
  const int32_t means[] = {0,       7,        8,         -8,        -9,     big,   -big,
                           big - 8, -big + 8, INT32_MAX, INT32_MIN, 123457, -98765};
  for (int k : {0, 1, 47, 94, 95, -5, 1000}) {
    for (int32_t mu16 : means) {
      // Near the mean, far off it in both directions (escapes up to 2^21), and the limits.
      for (int i = 0; i < 40; ++i) s.push_back({sample(rng, mu16, k), mu16, k});
      for (int32_t v : {kMaxLatent, -kMaxLatent, 0, 1, -1, kMaxLatent - 1, -kMaxLatent + 1})
        s.push_back({v, mu16, k});
      for (int i = 0; i < 20; ++i)
        s.push_back({int32_t(rng() % (2u * kMaxLatent + 1)) - kMaxLatent, mu16, k});
    }
  }
  // Means far off the integer grid, values a few scales out (windows' edges, short escapes).
  for (int i = 0; i < 50000; ++i) {
    int k = int(rng() % kScaleLevels);
    int32_t mu16 = int32_t(rng() % 200001) - 100000;
    int32_t c = int32_t(std::floor((mu16 + 8) / 16.0));
    int32_t reach = int32_t(20 * scale_of_level(k)) + 5;
    s.push_back({c + int32_t(rng() % uint32_t(2 * reach + 1)) - reach, mu16, k});
  }
  // Long runs: a certain value at the smallest scale, the same far value at the largest.
  for (int i = 0; i < 100000; ++i) s.push_back({3, 3 * 16, 0});
  for (int i = 0; i < 20000; ++i) s.push_back({-500000, 40000, 95});
  laplace_round_trip(s);

  std::vector<Latent> run(100000, Latent{0, 0, 0});
  EXPECT_LT(encode_all(run).size(), 100000 * 0.01 / 8 + 8);
}

TEST(Laplace, CostMatchesCodedSize) {
  for (auto [k_lo, k_hi] : {std::pair{0, 95}, {10, 30}, {30, 60}, {60, 95}}) {
    std::vector<Latent> s = typical(200000, k_lo, k_hi, uint32_t(31 + k_lo));
    double bits = 0;
    for (const Latent& x : s) bits += laplace_cost_bits(x.v, x.mu16, x.k);
    double bytes = double(encode_all(s).size());
    EXPECT_NEAR(bytes, bits / 8, bits / 8 * 0.001 + 8) << "k " << k_lo << ".." << k_hi;
  }
  // Escapes count their bypass bits: 2L + 1 for an excess e with L = floor(log2(e + 1)).
  std::vector<Latent> far;
  double bits = 0;
  for (int i = 0; i < 20000; ++i) {
    far.push_back({-kMaxLatent + i, kMaxLatent << kMeanFracBits, 40});
    bits += laplace_cost_bits(far.back().v, far.back().mu16, far.back().k);
  }
  EXPECT_NEAR(double(encode_all(far).size()), bits / 8, bits / 8 * 0.001 + 8);
}

TEST(Laplace, CostIsFaithfulToTheContinuousLaplace) {
  std::mt19937 rng(41);
  for (int k = 0; k < kScaleLevels; ++k) {
    double b = scale_of_level(k);
    if (b < 0.2 || b > 50) continue;
    double coded = 0, ideal = 0;
    for (int i = 0; i < 20000; ++i) {
      int32_t mu16 = int32_t(rng() % 1601) - 800;
      int32_t v = sample(rng, mu16, k);
      coded += laplace_cost_bits(v, mu16, k);
      ideal += ideal_bits(v, mu16 / 16.0, b);
    }
    EXPECT_LT(coded, ideal * 1.01) << "k " << k << " b " << b;
    EXPECT_GT(coded, ideal * 0.99) << "k " << k << " b " << b;
  }
}

// Every window entry has a frequency >= 1 and they sum to 65536; the window is
// [c - H, c + H] with c = floor((mu16 + 8) / 16), H = clamp(ceil(12 b_k), 2, 3000); its end
// entries carry a 1-bit escape (excess 0) and the values beyond them longer ones.
TEST(Laplace, WindowPartitionsTheCodeSpace) {
  const int32_t means[] = {0, 1, 7, 8, 9, -7, -8, -9, -15, 16, 1000003, -777777, 5 << 20};
  for (int k = 0; k < kScaleLevels; ++k) {
    int32_t h = std::clamp(int32_t(std::ceil(12 * scale_of_level(k))), 2, 3000);
    std::vector<Latent> all;
    for (int32_t mu16 : means) {
      int32_t c = int32_t(std::floor((mu16 + 8) / 16.0));
      uint64_t sum = 0;
      for (int32_t v = c - h; v <= c + h; ++v) {
        double bits = laplace_cost_bits(v, mu16, k) - (v == c - h || v == c + h ? 1 : 0);
        double freq = std::exp2(kRangeTotalBits - bits);
        ASSERT_NEAR(freq, std::round(freq), 1e-6) << "k " << k << " mu16 " << mu16 << " v " << v;
        ASSERT_GE(std::round(freq), 1.0);
        sum += uint64_t(std::round(freq));
        all.push_back({v, mu16, k});
      }
      EXPECT_EQ(sum, kTotal) << "k " << k << " mu16 " << mu16;
      // One beyond each end: the end entry's frequency plus an escape of excess 1 (3 bits).
      EXPECT_DOUBLE_EQ(laplace_cost_bits(c - h - 1, mu16, k),
                       laplace_cost_bits(c - h, mu16, k) + 2);
      EXPECT_DOUBLE_EQ(laplace_cost_bits(c + h + 1, mu16, k),
                       laplace_cost_bits(c + h, mu16, k) + 2);
    }
    laplace_round_trip(all);
  }
}

TEST(Laplace, GarbageNeverCrashes) {
  std::mt19937 rng(51);
  int errors = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    std::vector<uint8_t> junk(size_t(rng() % 64));
    for (auto& b : junk) b = uint8_t(rng());
    if (trial % 10 == 0) std::fill(junk.begin(), junk.end(), 0xFF);
    RangeDecoder d(junk.data(), junk.size());
    try {
      for (int i = 0; i < 200; ++i) {
        int32_t v = laplace_decode(d, int32_t(rng()), int(rng() % 120) - 10);
        ASSERT_LE(std::abs(int64_t(v)), kMaxLatent);
      }
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("latent"), std::string::npos) << e.what();
      ++errors;
    }
  }
  EXPECT_GT(errors, 0);  // all-0xFF input runs into the escape limit
}

TEST(Laplace, RejectsLatentsBeyondTheLimit) {
  RangeEncoder e;
  for (int32_t v : {kMaxLatent + 1, -kMaxLatent - 1, INT32_MAX, INT32_MIN}) {
    EXPECT_THROW(laplace_encode(e, v, 0, 30), Error);
    EXPECT_THROW(laplace_cost_bits(v, 0, 30), Error);
  }
  EXPECT_NO_THROW(laplace_encode(e, kMaxLatent, -(kMaxLatent << kMeanFracBits), 0));
  EXPECT_NO_THROW(laplace_encode(e, -kMaxLatent, kMaxLatent << kMeanFracBits, 0));
}

TEST(Laplace, ScaleLevels) {
  EXPECT_DOUBLE_EQ(scale_of_level(0), 1.0 / 16);
  EXPECT_DOUBLE_EQ(scale_of_level(32), 1.0);
  EXPECT_NEAR(scale_of_level(kScaleLevels - 1), 234.75, 0.01);
  EXPECT_DOUBLE_EQ(scale_of_level(-3), scale_of_level(0));
  EXPECT_DOUBLE_EQ(scale_of_level(500), scale_of_level(kScaleLevels - 1));
  for (int k = 0; k < kScaleLevels; ++k) {
    EXPECT_EQ(scale_index_of(scale_of_level(k)), k);
    EXPECT_EQ(scale_index_of(scale_of_level(k) * 1.04), k);
    EXPECT_EQ(scale_index_of(scale_of_level(k) / 1.04), k);
  }
  EXPECT_EQ(scale_index_of(0), 0);
  EXPECT_EQ(scale_index_of(-1), 0);
  EXPECT_EQ(scale_index_of(std::nan("")), 0);
  EXPECT_EQ(scale_index_of(1e-9), 0);
  EXPECT_EQ(scale_index_of(1e9), kScaleLevels - 1);
  EXPECT_EQ(scale_index_of(std::numeric_limits<double>::infinity()), kScaleLevels - 1);
}

}  // namespace
}  // namespace nerv
