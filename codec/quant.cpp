#include "codec/quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nerv {
namespace {

int32_t clamp_symbol(double v) {
  return int32_t(std::max<double>(-kMaxSymbol, std::min<double>(kMaxSymbol, std::nearbyint(v))));
}

}  // namespace

uint16_t bf16_bits(float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  return uint16_t(u >> 16);
}

float from_bf16_bits(uint16_t bits) {
  uint32_t u = uint32_t(bits) << 16;
  float v;
  std::memcpy(&v, &u, 4);
  return v;
}

// Nearest bfloat16 (ties to even) of a positive finite float.
static float round_to_bf16(float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return from_bf16_bits(uint16_t(u >> 16));
}

WeightGrid make_weight_grid(const float* w, size_t numel, size_t channels, int bits) {
  WeightGrid g;
  size_t per = numel / channels;
  double levels = double((1 << (bits - 1)) - 1);
  for (size_t c = 0; c < channels; ++c) {
    double m = 0;
    for (size_t i = 0; i < per; ++i) m = std::max(m, std::fabs(double(w[c * per + i])));
    g.step.push_back(m > 0 ? round_to_bf16(float(m / levels)) : 1.0f);
  }
  return g;
}

void quantize_weights(const float* w, size_t numel, const WeightGrid& g, int32_t* q) {
  size_t per = numel / g.step.size();
  for (size_t i = 0; i < numel; ++i) q[i] = clamp_symbol(double(w[i]) / g.step[i / per]);
}

void dequantize_weights(const int32_t* q, size_t numel, const WeightGrid& g, float* w) {
  size_t per = numel / g.step.size();
  for (size_t i = 0; i < numel; ++i) w[i] = float(double(g.step[i / per]) * double(q[i]));
}

AffineGrid make_affine_grid(const float* x, size_t n, size_t channels, size_t inner, int bits) {
  AffineGrid g;
  double levels = double((1 << bits) - 1);
  for (size_t c = 0; c < channels; ++c) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; ++k)
      for (size_t i = 0; i < inner; ++i) {
        double v = x[(k * channels + c) * inner + i];
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    if (!(hi > lo)) hi = lo + 1;
    g.offset.push_back(float(lo));
    g.step.push_back(float((hi - lo) / levels));
  }
  return g;
}

void quantize_affine(const float* x, size_t n, size_t inner, const AffineGrid& g, int bits,
                     int32_t* sym) {
  size_t channels = g.step.size();
  int32_t top = (1 << bits) - 1, mid = 1 << (bits - 1);
  for (size_t k = 0; k < n; ++k)
    for (size_t c = 0; c < channels; ++c)
      for (size_t i = 0; i < inner; ++i) {
        size_t at = (k * channels + c) * inner + i;
        double q = std::nearbyint((double(x[at]) - g.offset[c]) / g.step[c]);
        sym[at] = int32_t(std::max(0.0, std::min(double(top), q))) - mid;
      }
}

void dequantize_affine(const int32_t* sym, size_t n, size_t inner, const AffineGrid& g, int bits,
                       float* x) {
  size_t channels = g.step.size();
  int32_t mid = 1 << (bits - 1);
  for (size_t k = 0; k < n; ++k)
    for (size_t c = 0; c < channels; ++c)
      for (size_t i = 0; i < inner; ++i) {
        size_t at = (k * channels + c) * inner + i;
        x[at] = float(double(g.offset[c]) + double(g.step[c]) * (double(sym[at]) + double(mid)));
      }
}

}  // namespace nerv
