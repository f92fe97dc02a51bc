// Uniform quantisation. Weights: symmetric, one step per output channel (dim 0), so zero is
// exact and symbols centre on 0. Embeddings: min/max affine per channel. Dequantisation is
// plain scalar C++ in double, rounded once to float, so every machine rebuilds the same bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nerv {

// Steps travel as bfloat16 (the upper 16 bits of a float32), so grids are made of such values.
uint16_t bf16_bits(float v);  // v must already be bfloat16-representable
float from_bf16_bits(uint16_t bits);

// Step of each channel; a tensor of `numel` values split into steps.size() equal channels.
struct WeightGrid {
  std::vector<float> step;
};

// Symbols are clamped to this magnitude (keeps them inside every coder's range).
constexpr int32_t kMaxSymbol = 1 << 20;

WeightGrid make_weight_grid(const float* w, size_t numel, size_t channels, int bits);
void quantize_weights(const float* w, size_t numel, const WeightGrid& g, int32_t* q);
void dequantize_weights(const int32_t* q, size_t numel, const WeightGrid& g, float* w);

struct AffineGrid {
  std::vector<float> offset, step;  // per channel
};

// x is [N, C, inner] flattened; channels are dim 1. Symbols are q - 2^(bits-1).
AffineGrid make_affine_grid(const float* x, size_t n, size_t channels, size_t inner, int bits);
void quantize_affine(const float* x, size_t n, size_t inner, const AffineGrid& g, int bits,
                     int32_t* sym);
void dequantize_affine(const int32_t* sym, size_t n, size_t inner, const AffineGrid& g, int bits,
                       float* x);

}  // namespace nerv
