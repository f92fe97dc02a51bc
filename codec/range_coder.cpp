#include "codec/range_coder.h"

#include "base/error.h"

namespace nerv {
namespace {
constexpr uint32_t kTotal = 1u << kRangeTotalBits;
constexpr uint32_t kTop = 1u << 24;

void check_symbol(uint32_t cum, uint32_t freq) {
  if (freq == 0 || cum > kTotal || freq > kTotal - cum)
    throw Error("range coder: bad symbol frequency");
}

void check_bits(int bits) {
  if (bits < 1 || bits > 16) throw Error("range coder: bypass takes 1..16 bits");
}
}  // namespace

void RangeEncoder::normalize() {
  while (range_ < kTop) {
    range_ <<= 8;
    o_.shift_low();
  }
}

void RangeEncoder::encode(uint32_t cum, uint32_t freq) {
  check_symbol(cum, freq);
  uint32_t r = range_ >> kRangeTotalBits;
  o_.low += uint64_t(r) * cum;
  range_ = r * freq;
  normalize();
}

void RangeEncoder::bypass(uint32_t value, int bits) {
  check_bits(bits);
  range_ >>= bits;
  o_.low += uint64_t(range_) * (value & ((1u << bits) - 1));
  normalize();
}

std::vector<uint8_t> RangeEncoder::finish() {
  // Any value in [low, low + range) decodes the same; range >= 2^24, so rounding low up to a
  // multiple of 2^24 stays inside and leaves only zero bytes after its top byte.
  o_.low = (o_.low + 0xFFFFFFu) & ~uint64_t(0xFFFFFFu);
  for (int i = 0; i < 5; ++i) o_.shift_low();
  while (!o_.out.empty() && o_.out.back() == 0) o_.out.pop_back();
  return std::move(o_.out);
}

RangeDecoder::RangeDecoder(const uint8_t* p, size_t n) : p_(p), n_(n) {
  for (int i = 0; i < 5; ++i) code_ = (code_ << 8) | next();
}

void RangeDecoder::normalize() {
  while (range_ < kTop) {
    range_ <<= 8;
    code_ = (code_ << 8) | next();
  }
}

uint32_t RangeDecoder::target() {
  uint32_t t = code_ / (range_ >> kRangeTotalBits);
  return t < kTotal ? t : kTotal - 1;
}

void RangeDecoder::consume(uint32_t cum, uint32_t freq) {
  check_symbol(cum, freq);
  uint32_t r = range_ >> kRangeTotalBits;
  code_ -= r * cum;  // unsigned: wraps harmlessly on garbage
  range_ = r * freq;
  normalize();
}

uint32_t RangeDecoder::bypass(int bits) {
  check_bits(bits);
  range_ >>= bits;
  uint32_t v = code_ / range_;
  uint32_t top = (1u << bits) - 1;
  if (v > top) v = top;
  code_ -= v * range_;
  normalize();
  return v;
}

}  // namespace nerv
