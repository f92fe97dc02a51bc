#include "codec/bin_coder.h"

namespace nerv {
namespace {
constexpr int kProbBits = 11;
constexpr int kAdapt = 5;
constexpr uint32_t kTop = 1u << 24;
}  // namespace

void BinEncoder::encode(BitContext& ctx, int bit) {
  uint32_t bound = (range_ >> kProbBits) * ctx.p0;
  if (!bit) {
    range_ = bound;
    ctx.p0 += ((1 << kProbBits) - ctx.p0) >> kAdapt;
  } else {
    o_.low += bound;
    range_ -= bound;
    ctx.p0 -= ctx.p0 >> kAdapt;
  }
  while (range_ < kTop) {
    range_ <<= 8;
    o_.shift_low();
  }
}

void BinEncoder::bypass(int bit) {
  range_ >>= 1;
  if (bit) o_.low += range_;
  while (range_ < kTop) {
    range_ <<= 8;
    o_.shift_low();
  }
}

std::vector<uint8_t> BinEncoder::finish() {
  for (int i = 0; i < 5; ++i) o_.shift_low();
  return std::move(o_.out);
}

BinDecoder::BinDecoder(const uint8_t* p, size_t n) : p_(p), n_(n) {
  for (int i = 0; i < 5; ++i) code_ = (code_ << 8) | next();
}

int BinDecoder::decode(BitContext& ctx) {
  uint32_t bound = (range_ >> kProbBits) * ctx.p0;
  int bit;
  if (code_ < bound) {
    range_ = bound;
    ctx.p0 += ((1 << kProbBits) - ctx.p0) >> kAdapt;
    bit = 0;
  } else {
    code_ -= bound;
    range_ -= bound;
    ctx.p0 -= ctx.p0 >> kAdapt;
    bit = 1;
  }
  while (range_ < kTop) {
    range_ <<= 8;
    code_ = (code_ << 8) | next();
  }
  return bit;
}

int BinDecoder::bypass() {
  range_ >>= 1;
  int bit = 0;
  if (code_ >= range_) {
    code_ -= range_;
    bit = 1;
  }
  while (range_ < kTop) {
    range_ <<= 8;
    code_ = (code_ << 8) | next();
  }
  return bit;
}

}  // namespace nerv
