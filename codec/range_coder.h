// Multi-symbol range coder for symbols whose distribution a model gives per symbol as 16-bit
// cumulative frequencies (totals exactly 1 << 16), e.g. the latent coder's discretised Laplace.
// Same arithmetic as BinEncoder: 32-bit range, 64-bit low, carry propagation through a cached
// byte. The decoder reads zeros past the end of its input, so garbage never reads out of bounds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/carry_output.h"

namespace nerv {

constexpr int kRangeTotalBits = 16;

class RangeEncoder {
 public:
  // Codes the symbol that owns [cum, cum + freq) out of 1 << 16. Throws nerv::Error unless
  // freq >= 1 and cum + freq <= 1 << 16 (a zero-width symbol would make the coder spin).
  void encode(uint32_t cum, uint32_t freq);
  // Codes the low `bits` (1..16) bits of value, each at probability 1/2.
  void bypass(uint32_t value, int bits);
  // Flushes and returns the stream. Trailing zero bytes are dropped (the decoder reads zeros
  // past the end), so the stream's length must be stored alongside it.
  std::vector<uint8_t> finish();

 private:
  void normalize();
  uint32_t range_ = 0xFFFFFFFFu;
  CarryOutput o_;
};

class RangeDecoder {
 public:
  RangeDecoder(const uint8_t* p, size_t n);
  // Where the next symbol lies, in [0, 1 << 16): it is the one with cum <= target < cum + freq.
  // Garbage input can leave the code value past the range; the target is clamped then.
  uint32_t target();
  // Removes the symbol found from target(); same requirements on cum and freq as encode().
  void consume(uint32_t cum, uint32_t freq);
  uint32_t bypass(int bits);

 private:
  uint8_t next() { return pos_ < n_ ? p_[pos_++] : 0; }
  void normalize();
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint32_t code_ = 0;
};

}  // namespace nerv
