// Adaptive binary arithmetic (range) coder: 32-bit range, 11-bit probabilities adapting with
// a 1/32 rate, carry propagation through a cached byte. Bypass bits code at probability 1/2.
// The decoder reads zeros past the end of its input, so garbage never reads out of bounds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/carry_output.h"

namespace nerv {

struct BitContext {
  uint16_t p0 = 1024;  // probability of a 0, out of 2048
};

class BinEncoder {
 public:
  void encode(BitContext& ctx, int bit);
  void bypass(int bit);
  std::vector<uint8_t> finish();

 private:
  uint32_t range_ = 0xFFFFFFFFu;
  CarryOutput o_;
};

class BinDecoder {
 public:
  BinDecoder(const uint8_t* p, size_t n);
  int decode(BitContext& ctx);
  int bypass();

 private:
  uint8_t next() { return pos_ < n_ ? p_[pos_++] : 0; }
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint32_t code_ = 0;
};

}  // namespace nerv
