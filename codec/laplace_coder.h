// Discretised Laplace coder for the latent grid's integer latents over the RangeEncoder: a
// context model gives each latent a mean (mu16, in 1/16 units) and a scale level k, and the
// latent is coded with the Laplace(mu16 / 16, b_k) mass of its unit bin. The coding path is
// integer only (integer-literal tables, no floating point, no libm), so every encoder and
// decoder computes bit-identical frequencies.
//
// Model, exactly (the bitstream spec's definition):
//   mu16 is clamped to [-(kMaxLatent << 4), kMaxLatent << 4], k to [0, kScaleLevels).
//   c = floor((mu16 + 8) / 16), H = kHalfWidth[k] (2..2818), N = 2H + 1; entry i (0..N-1) is
//   the value c - H + i. Entry 0 also stands for every v < c - H and entry N-1 for every
//   v > c + H: after coding an end entry comes an escape, the excess |v - (c -/+ H)| >= 0 as
//   Exp-Golomb order 0 in 1-bit bypass calls (L ones, a zero, then the low L bits of
//   excess + 1 from the most significant, where L = floor(log2(excess + 1)) <= 24).
//   cum(0) = 0, cum(N) = 65536, and for 0 < i < N with s = 16 (c - H + i) - 8 - mu16 (the bin
//   boundary minus the mean, in 1/16 units): G = s < 0 ? half(-s) : 65536 - half(s),
//   cum(i) = ((G * (65536 - N)) >> 16) + i, where half(d) ~ 2^15 exp(-d / (16 b_k)) is
//   computed in laplace_coder.cpp. Every entry has frequency >= 1.
#pragma once
#include <cstdint>

#include "codec/range_coder.h"

namespace nerv {

constexpr int kMeanFracBits = 4;         // mu16 is the mean in 1/16 units
constexpr int kScaleLevels = 96;         // b_k = 2^(-4 + k/8): 1/16 ... about 235
constexpr int32_t kMaxLatent = 1 << 20;  // |v| above this is an error

// Throws nerv::Error when |v| > kMaxLatent.
void laplace_encode(RangeEncoder& e, int32_t v, int32_t mu16, int k);
// Throws nerv::Error on an escape that is too long or a value beyond kMaxLatent (both only
// from corrupt input).
int32_t laplace_decode(RangeDecoder& d, int32_t mu16, int k);
// What laplace_encode spends on v, in bits: 16 - log2(freq) plus any escape's bypass bits.
// Throws nerv::Error when |v| > kMaxLatent.
double laplace_cost_bits(int32_t v, int32_t mu16, int k);

// Encoder conveniences, not on the coding path (floating point): the level whose scale is
// nearest b in log2 (clamped to [0, kScaleLevels)), and the nominal scale b_k of a level.
int scale_index_of(double b);
double scale_of_level(int k);

}  // namespace nerv
