// The output side shared by nervc's range coders (bin_coder.h, range_coder.h): a 64-bit `low`
// whose top byte is held back in a cache until it is known whether a later addition carries
// into it (the LZMA scheme), so that the coders need no bit-stuffing.
#pragma once
#include <cstdint>
#include <vector>

namespace nerv {

struct CarryOutput {
  uint64_t low = 0;
  std::vector<uint8_t> out;

  // Moves the top byte of the 32-bit `low` out (through the cache) and shifts `low` left by 8.
  void shift_low() {
    if (uint32_t(low) < 0xFF000000u || (low >> 32) != 0) {
      uint8_t carry = uint8_t(low >> 32);
      uint8_t temp = cache_;
      do {
        out.push_back(uint8_t(temp + carry));
        temp = 0xFF;
      } while (--cache_size_ != 0);
      cache_ = uint8_t(low >> 24);
    }
    ++cache_size_;
    low = (low & 0x00FFFFFFu) << 8;
  }

 private:
  uint8_t cache_ = 0;
  uint64_t cache_size_ = 1;
};

}  // namespace nerv
