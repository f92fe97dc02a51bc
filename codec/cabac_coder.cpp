#include <array>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "codec/bin_coder.h"
#include "codec/symbol_coders.h"

namespace nerv {
namespace {

constexpr int kGreaterFlags = 4;
constexpr int kMaxPrefix = 30;  // Exp-Golomb prefix; symbols stay far below 2^30

struct Contexts {
  std::array<BitContext, 2> sig;  // by whether the previous symbol was zero
  BitContext sign;
  std::array<BitContext, kGreaterFlags> greater;
  std::array<BitContext, kMaxPrefix + 1> prefix;
};

void encode_eg0(BinEncoder& enc, Contexts& c, uint32_t v) {
  // Exp-Golomb order 0 of v: prefix of k ones then a zero, then k suffix bits of v + 1.
  uint32_t x = v + 1;
  int k = 0;
  while ((x >> (k + 1)) != 0) ++k;
  for (int i = 0; i < k; ++i) enc.encode(c.prefix[i], 1);
  enc.encode(c.prefix[k], 0);
  for (int i = k - 1; i >= 0; --i) enc.bypass((x >> i) & 1);
}

uint32_t decode_eg0(BinDecoder& dec, Contexts& c) {
  int k = 0;
  while (dec.decode(c.prefix[k])) {
    if (++k >= kMaxPrefix) throw Error("entropy-coded data is corrupt (Exp-Golomb prefix)");
  }
  uint32_t x = 1;
  for (int i = 0; i < k; ++i) x = (x << 1) | uint32_t(dec.bypass());
  return x - 1;
}

}  // namespace

std::vector<uint8_t> cabac_encode(const std::vector<int32_t>& symbols) {
  BinEncoder enc;
  Contexts c;
  int prev_zero = 1;
  for (int32_t s : symbols) {
    if (std::llabs(int64_t(s)) > kMaxBlockSymbol)
      throw Error("symbol " + std::to_string(s) + " is beyond what a block can code");
    enc.encode(c.sig[prev_zero], s != 0);
    prev_zero = s == 0;
    if (s == 0) continue;
    uint32_t a = uint32_t(std::abs(s));
    enc.encode(c.sign, s < 0);
    uint32_t rest = a - 1;
    int k = 0;
    for (; k < kGreaterFlags; ++k) {
      int greater = rest > uint32_t(k);
      enc.encode(c.greater[k], greater);
      if (!greater) break;
    }
    if (k == kGreaterFlags) encode_eg0(enc, c, rest - kGreaterFlags);
  }
  return enc.finish();
}

std::vector<int32_t> cabac_decode(const uint8_t* p, size_t n, size_t count) {
  BinDecoder dec(p, n);
  Contexts c;
  std::vector<int32_t> out(count);
  int prev_zero = 1;
  for (size_t i = 0; i < count; ++i) {
    int sig = dec.decode(c.sig[prev_zero]);
    prev_zero = !sig;
    if (!sig) continue;
    int neg = dec.decode(c.sign);
    uint32_t rest = 0;
    int k = 0;
    for (; k < kGreaterFlags; ++k) {
      if (!dec.decode(c.greater[k])) break;
      rest = uint32_t(k + 1);
    }
    if (k == kGreaterFlags) rest = kGreaterFlags + decode_eg0(dec, c);
    if (rest >= uint64_t(kMaxBlockSymbol))  // |v| = rest + 1 <= 2^30
      throw Error("entropy-coded data is corrupt (symbol out of range)");
    int32_t a = int32_t(rest + 1);
    out[i] = neg ? -a : a;
  }
  return out;
}

}  // namespace nerv
