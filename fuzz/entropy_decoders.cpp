// libFuzzer harness: every entropy decoder of docs/bitstream.md §6 on its own. The first byte
// picks a mode:
//   0  a coded block (§3.2: coder id, size, bytes) of N (u16) symbols: coder 0 (§6.1), coder 1
//      (§6.2) and unknown ids; whatever decodes must re-encode and decode to the same symbols
//   1  round trip: symbols from the input through both coders, which must give them back
//   2  latents of one level (§6.3) under a context model whose integers come from the input;
//      whatever decodes must re-encode and decode to the same latents
//   3  round trip of latents from the input through the latent coder
// Decoders must fail with nerv::Error only; encoders must not fail on symbols in range, and a
// mismatch in a round trip aborts (a finding).
#include <array>
#include <cstdlib>

#include "base/error.h"
#include "codec/byte_io.h"
#include "codec/grid_codec.h"
#include "codec/laplace_coder.h"
#include "codec/segment_payload.h"
#include "codec/symbol_coders.h"

namespace {

using nerv::Error;

void require(bool ok) {
  if (!ok) std::abort();
}

std::vector<int32_t> block_round_trip(const std::vector<int32_t>& s) {
  nerv::ByteWriter w;
  nerv::write_block(w, s, nullptr);
  nerv::ByteReader r(w.data().data(), w.size(), "round trip");
  std::vector<int32_t> back = nerv::read_block(r, s.size(), nullptr);
  require(r.remaining() == 0);
  return back;
}

// Reads the input from the front (0 past its end), so that seed inputs are easy to write:
// fuzz/make_seeds.cpp writes them in this layout.
struct Input {
  const uint8_t* p;
  size_t n;
  uint8_t u8() {
    if (!n) return 0;
    --n;
    return *p++;
  }
  uint32_t u16() { return u8() | uint32_t(u8()) << 8; }
  uint32_t u32() { return u16() | u16() << 16; }
};

// Symbols as the quantisers make them: mostly small (one byte), sometimes (a zero byte, then
// four) up to `big` in magnitude.
std::vector<int32_t> symbols_from(Input& in, size_t max, int32_t big) {
  std::vector<int32_t> s;
  while (in.n > 0 && s.size() < max) {
    int8_t v = int8_t(in.u8());
    if (v != 0) {
      s.push_back(v);
    } else {
      int64_t w = int64_t(in.u32() % (2 * uint64_t(big) + 1)) - big;
      s.push_back(int32_t(w));
    }
  }
  return s;
}

// A context model from the input, through the decoder's own checks (§8.2): hidden size, the
// two ARM step shifts, then every integer as a signed byte.
nerv::ArmInt arm_from(Input& in) {
  int h = 1 + in.u8() % 8;
  nerv::GridSteps steps;
  steps.shift[2] = in.u8() % 9;
  steps.shift[3] = in.u8() % 9;
  std::vector<size_t> sizes = {size_t(h) * 21, size_t(h),     size_t(h) * h,
                               size_t(h),      2 * size_t(h), 2};
  std::vector<std::vector<int32_t>> q;
  for (size_t n : sizes) {
    q.emplace_back();
    for (size_t i = 0; i < n; ++i) q.back().push_back(int8_t(in.u8()));
  }
  return nerv::arm_from_symbols(h, q, steps, "fuzz arm");
}

std::array<int64_t, 3> shape_from(Input& in) {
  return {1 + in.u8() % 3, 1 + in.u8() % 24, 1 + in.u8() % 24};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  int mode = in.u8() % 4;
  if (mode == 0) {
    size_t count = in.u16() % 4097;
    nerv::ByteReader r(in.p, in.n, "fuzz block");
    std::vector<int32_t> s;
    try {
      s = nerv::read_block(r, count, nullptr);
    } catch (const Error&) {
      return 0;
    }
    require(s.size() == count);
    require(block_round_trip(s) == s);
  } else if (mode == 1) {
    std::vector<int32_t> s = symbols_from(in, 4096, int32_t(nerv::kMaxBlockSymbol));
    require(block_round_trip(s) == s);
    std::vector<uint8_t> c = nerv::cabac_encode(s);
    require(nerv::cabac_decode(c.data(), c.size(), s.size()) == s);
    std::vector<uint8_t> h = nerv::hts_encode(s);
    require(nerv::hts_decode(h.data(), h.size(), s.size()) == s);
  } else {
    nerv::ArmInt arm;
    try {
      arm = arm_from(in);  // may refuse out-of-range weights, as the decoder does
    } catch (const Error&) {
      return 0;
    }
    std::array<int64_t, 3> shape = shape_from(in);
    size_t n = size_t(shape[0] * shape[1] * shape[2]);
    std::vector<int32_t> latents;
    if (mode == 2) {
      try {
        latents = nerv::decode_level(arm, in.p, in.n, shape, "fuzz level");
      } catch (const Error&) {
        return 0;
      }
    } else {
      latents = symbols_from(in, n, nerv::kMaxLatent);
      latents.resize(n, 0);
    }
    std::vector<uint8_t> c = nerv::encode_level(arm, latents, shape);
    require(nerv::decode_level(arm, c.data(), c.size(), shape, "round trip") == latents);
  }
  return 0;
}
