#include <htscodecs/arith_dynamic.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "base/error.h"
#include "codec/byte_io.h"
#include "codec/symbol_coders.h"

namespace nerv {
namespace {

uint32_t zigzag(int32_t v) {
  return (uint32_t(v) << 1) ^ uint32_t(v >> 31);
}
int32_t unzigzag(uint32_t z) {
  return int32_t(z >> 1) ^ -int32_t(z & 1);
}

// The order bytes arith_compress_to(..., order 0) writes (§6.2).
constexpr uint8_t kOrder0 = 0x00;
constexpr uint8_t kOrder0Stored = 0x20;  // X_CAT

}  // namespace

std::vector<uint8_t> hts_encode(const std::vector<int32_t>& symbols) {
  std::vector<uint8_t> bytes(symbols.size());
  ByteWriter esc;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (std::llabs(int64_t(symbols[i])) > kMaxBlockSymbol)
      throw Error("symbol " + std::to_string(symbols[i]) + " is beyond what a block can code");
    uint32_t z = zigzag(symbols[i]);
    if (z < 255) {
      bytes[i] = uint8_t(z);
      continue;
    }
    bytes[i] = 255;
    for (uint32_t v = z - 255;; v >>= 7) {  // LEB128 varint
      esc.u8(uint8_t((v & 0x7F) | (v > 0x7F ? 0x80 : 0)));
      if (v <= 0x7F) break;
    }
  }
  ByteWriter out;
  if (!bytes.empty()) {
    unsigned int size = arith_compress_bound(unsigned(bytes.size()), 0);
    std::vector<uint8_t> packed(size);
    if (!arith_compress_to(bytes.data(), unsigned(bytes.size()), packed.data(), &size, 0))
      throw Error("libhtscodecs arithmetic coder failed");
    out.u32(size);
    out.bytes(packed.data(), size);
  } else {
    out.u32(0);
  }
  out.bytes(esc.data());
  return std::move(out.data());
}

std::vector<int32_t> hts_decode(const uint8_t* p, size_t n, size_t count) {
  ByteReader r(p, n, "arithmetic-coded tensor");
  uint32_t packed_size = r.u32();
  const uint8_t* packed = r.take(packed_size);
  std::vector<uint8_t> bytes(count);
  if (count == 0 && packed_size != 0)
    throw Error("entropy-coded data is corrupt (arithmetic coder: data for no symbols)");
  if (count > 0) {
    // §6.2: the order byte is one of those hts_encode writes: 0x00 (adaptive order 0) or
    // 0x20 (X_CAT: stored). libhtscodecs would also run order 1, RLE, bit packing, stripes...
    if (packed_size == 0 || (packed[0] != kOrder0 && packed[0] != kOrder0Stored))
      throw Error("entropy-coded data is corrupt (arithmetic coder order byte " +
                  (packed_size ? std::to_string(packed[0]) : std::string("missing")) +
                  ", not 0 or 32)");
    unsigned int out_size = unsigned(count);
    if (!arith_uncompress_to(const_cast<uint8_t*>(packed), packed_size, bytes.data(), &out_size) ||
        out_size != count)
      throw Error("entropy-coded data is corrupt (arithmetic decoder)");
  }
  std::vector<int32_t> out(count);
  for (size_t i = 0; i < count; ++i) {
    uint32_t z = bytes[i];
    if (z == 255) {
      uint64_t v = 0;
      for (int shift = 0;; shift += 7) {
        if (shift > 28) throw Error("entropy-coded data is corrupt (escape)");
        uint8_t b = r.u8();
        v |= uint64_t(b & 0x7F) << shift;
        if (!(b & 0x80)) break;
      }
      if (v > UINT32_MAX - 255)  // z is a 32-bit zigzag code
        throw Error("entropy-coded data is corrupt (escape out of range)");
      z = uint32_t(255 + v);
      if (z > uint32_t(2 * kMaxBlockSymbol))  // zigzag of |v| <= 2^30
        throw Error("entropy-coded data is corrupt (symbol out of range)");
    }
    out[i] = unzigzag(z);
  }
  if (r.remaining() != 0)
    throw Error("entropy-coded data is corrupt (trailing bytes after the arithmetic-coded data)");
  return out;
}

double order0_entropy_bits(const std::vector<int32_t>& symbols) {
  std::map<int32_t, size_t> counts;
  for (int32_t s : symbols) ++counts[s];
  double bits = 0, n = double(symbols.size());
  for (const auto& [sym, c] : counts) bits -= double(c) * std::log2(double(c) / n);
  return bits;
}

}  // namespace nerv
