#include "codec/laplace_coder.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/error.h"

namespace nerv {
namespace {
constexpr uint32_t kTotal = 1u << kRangeTotalBits;
constexpr int kMaxEscapePrefix = 24;  // excesses stay below 2^21 in valid streams

// Tables, one row per octave of scale, with b_k = 2^(-4 + k/8):
//   kHalfWidth[k] = clamp(ceil(12 b_k), 2, 3000): the window leaves a tail mass below 1e-5
//     (at most exp(-H_k / b_k) for both tails together, 6.2e-6 at worst);
//   kExpRate[k] = m_k = round(2^16 log2(e) / (16 b_k)), so that exp(-d / (16 b_k)) =
//     2^(-d m_k / 2^16) for a distance d in 1/16 units. The rounding makes the effective scale
//     2^12 log2(e) / m_k, within 0.33 % of b_k for b_k <= 50 (1.7 % at k = 95).
// clang-format off
constexpr int32_t kHalfWidth[kScaleLevels] = {
    2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 3, 3, 3, 3,
    3, 4, 4, 4, 5, 5, 6, 6,
    6, 7, 8, 8, 9, 10, 11, 12,
    12, 14, 15, 16, 17, 19, 21, 23,
    24, 27, 29, 32, 34, 38, 41, 45,
    48, 53, 58, 63, 68, 75, 81, 89,
    96, 105, 115, 125, 136, 149, 162, 177,
    192, 210, 229, 249, 272, 297, 323, 353,
    384, 419, 457, 498, 544, 593, 646, 705,
    768, 838, 914, 996, 1087, 1185, 1292, 1409,
    1536, 1676, 1827, 1992, 2173, 2369, 2584, 2818,
};
constexpr uint32_t kExpRate[kScaleLevels] = {
    94548, 86701, 79505, 72907, 66856, 61307, 56219, 51553,
    47274, 43351, 39753, 36453, 33428, 30654, 28109, 25776,
    23637, 21675, 19876, 18227, 16714, 15327, 14055, 12888,
    11819, 10838, 9938, 9113, 8357, 7663, 7027, 6444,
    5909, 5419, 4969, 4557, 4178, 3832, 3514, 3222,
    2955, 2709, 2485, 2278, 2089, 1916, 1757, 1611,
    1477, 1355, 1242, 1139, 1045, 958, 878, 806,
    739, 677, 621, 570, 522, 479, 439, 403,
    369, 339, 311, 285, 261, 239, 220, 201,
    185, 169, 155, 142, 131, 120, 110, 101,
    92, 85, 78, 71, 65, 60, 55, 50,
    46, 42, 39, 36, 33, 30, 27, 25,
};
// clang-format on

// 2^29 * 2^u for u = w / 2^16 in [0, 1]: relative-error fit of degree 4 with p(0) = 1 and
// p(1) = 2 pinned (C0 = 2^29, the sum = 2^30), evaluated below with Horner's rule in Q16 with
// a floor after each product. Maximum relative error 3.4e-6. All coefficients are positive,
// so the integer evaluation is non-decreasing in w, which keeps cum strictly increasing.
constexpr uint64_t kExp2Poly[5] = {536870912, 372068787, 129589774, 27934665, 7277686};

// half(d), about 2^15 exp(-d / (16 b)) = 2^15 2^(-d m / 2^16): the Laplace tail mass beyond a
// distance d (1/16 units) in Q16. Exactly: t = d m, n = t >> 16, f = t & 0xFFFF; 0 if n >= 17,
// else (P(2^16 - f) + 2^(n + 14)) >> (n + 15), P being the polynomial above, since
// 2^(-t / 2^16) = 2^(-n-1) 2^((2^16 - f) / 2^16).
uint32_t half_tail(uint64_t d, uint32_t rate) {
  uint64_t t = d * rate;
  uint64_t n = t >> 16;
  if (n >= 17) return 0;  // below 1/2 in Q16
  uint64_t w = kTotal - (t & 0xFFFF);
  uint64_t p = kExp2Poly[4];
  for (int j = 3; j >= 0; --j) p = kExp2Poly[j] + ((p * w) >> 16);
  return uint32_t((p + (uint64_t(1) << (n + 14))) >> (n + 15));
}

struct Window {
  int64_t lo;       // the value of entry 0: c - H
  int32_t n;        // entries, 2H + 1
  int64_t mu16;     // clamped mean
  uint32_t rate;    // m_k
  uint32_t spread;  // 65536 - n: the code space left after every entry's floor of 1
};

Window window_of(int32_t mu16, int k) {
  k = std::clamp(k, 0, kScaleLevels - 1);
  int32_t m = std::clamp(mu16, -(kMaxLatent << kMeanFracBits), kMaxLatent << kMeanFracBits);
  int32_t x = m + 8;
  int32_t c = x >= 0 ? x / 16 : -((15 - x) / 16);  // floor, without relying on >> of negatives
  int32_t h = kHalfWidth[k];
  return {int64_t(c) - h, 2 * h + 1, m, kExpRate[k], kTotal - uint32_t(2 * h + 1)};
}

// Cumulative frequency below entry i: floor of 1 per entry plus the Laplace CDF at the
// boundary between entries i - 1 and i scaled to the rest of the code space.
uint32_t cum(const Window& w, int32_t i) {
  if (i <= 0) return 0;
  if (i >= w.n) return kTotal;
  int64_t s = 16 * (w.lo + i) - 8 - w.mu16;
  uint32_t g = s < 0 ? half_tail(uint64_t(-s), w.rate) : kTotal - half_tail(uint64_t(s), w.rate);
  return uint32_t((uint64_t(g) * w.spread) >> 16) + uint32_t(i);
}

void check_latent(int32_t v) {
  if (v < -kMaxLatent || v > kMaxLatent)
    throw Error("latent coder: latent " + std::to_string(v) + " beyond +-2^20");
}

int floor_log2(uint32_t u) {
  int l = 0;
  while (u >>= 1) ++l;
  return l;
}

// Exp-Golomb order 0, one bypass bit at a time: L ones, a zero, the low L bits of excess + 1.
void put_escape(RangeEncoder& e, uint32_t excess) {
  uint32_t u = excess + 1;
  int len = floor_log2(u);
  for (int j = 0; j < len; ++j) e.bypass(1, 1);
  e.bypass(0, 1);
  for (int j = len - 1; j >= 0; --j) e.bypass((u >> j) & 1, 1);
}

uint32_t get_escape(RangeDecoder& d) {
  int len = 0;
  while (d.bypass(1))
    if (++len > kMaxEscapePrefix) throw Error("latent coder: latent escape too long");
  uint32_t u = 1;
  for (int j = 0; j < len; ++j) u = (u << 1) | d.bypass(1);
  return u - 1;
}

// The entry that codes v and the escape's excess (negative when there is none).
struct Entry {
  int32_t i;
  int64_t excess;
};

Entry entry_of(const Window& w, int32_t v) {
  int64_t i = v - w.lo;
  if (i <= 0) return {0, -i};
  if (i >= w.n - 1) return {w.n - 1, i - (w.n - 1)};
  return {int32_t(i), -1};
}
}  // namespace

void laplace_encode(RangeEncoder& e, int32_t v, int32_t mu16, int k) {
  check_latent(v);
  Window w = window_of(mu16, k);
  Entry en = entry_of(w, v);
  uint32_t lo = cum(w, en.i);
  e.encode(lo, cum(w, en.i + 1) - lo);
  if (en.excess >= 0) put_escape(e, uint32_t(en.excess));
}

int32_t laplace_decode(RangeDecoder& d, int32_t mu16, int k) {
  Window w = window_of(mu16, k);
  uint32_t t = d.target();
  // Largest i with cum(i) <= t; cum(0) = 0 <= t < 65536 = cum(n).
  int32_t lo = 0, hi = w.n;
  uint32_t clo = 0, chi = kTotal;
  while (hi - lo > 1) {
    int32_t mid = (lo + hi) >> 1;
    uint32_t c = cum(w, mid);
    if (c <= t) {
      lo = mid;
      clo = c;
    } else {
      hi = mid;
      chi = c;
    }
  }
  d.consume(clo, chi - clo);
  int64_t v = w.lo + lo;
  if (lo == 0) v -= get_escape(d);
  if (lo == w.n - 1) v += get_escape(d);
  if (v < -kMaxLatent || v > kMaxLatent)
    throw Error("latent coder: decoded latent beyond +-2^20 (corrupt stream)");
  return int32_t(v);
}

double laplace_cost_bits(int32_t v, int32_t mu16, int k) {
  check_latent(v);
  Window w = window_of(mu16, k);
  Entry en = entry_of(w, v);
  uint32_t freq = cum(w, en.i + 1) - cum(w, en.i);
  double bits = kRangeTotalBits - std::log2(double(freq));
  if (en.excess >= 0) bits += 2 * floor_log2(uint32_t(en.excess) + 1) + 1;
  return bits;
}

int scale_index_of(double b) {
  if (!(b > 0)) return 0;
  double k = std::round(8 * (std::log2(b) + 4));
  return int(std::clamp(k, 0.0, double(kScaleLevels - 1)));
}

double scale_of_level(int k) {
  return std::exp2(-4 + std::clamp(k, 0, kScaleLevels - 1) / 8.0);
}

}  // namespace nerv
