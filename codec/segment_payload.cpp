#include "codec/segment_payload.h"

#include <cmath>

#include "base/error.h"
#include "codec/byte_io.h"
#include "codec/symbol_coders.h"

namespace nerv {
namespace {

enum class Coder : uint8_t { Cabac = 0, HtsArith = 1 };

}  // namespace

// §3.2 coded block: coder id, byte count, bytes. Both coders run; the smaller is kept.
void write_block(ByteWriter& w, const std::vector<int32_t>& symbols, TensorStats* st) {
  std::vector<uint8_t> cabac = cabac_encode(symbols);
  std::vector<uint8_t> hts = hts_encode(symbols);
  bool use_cabac = cabac.size() <= hts.size();
  const std::vector<uint8_t>& best = use_cabac ? cabac : hts;
  w.u8(uint8_t(use_cabac ? Coder::Cabac : Coder::HtsArith));
  w.u32(uint32_t(best.size()));
  w.bytes(best);
  if (st) {
    st->symbols = symbols.size();
    st->cabac_bytes = cabac.size();
    st->hts_bytes = hts.size();
    st->entropy_bits = order0_entropy_bits(symbols);
    st->coder = use_cabac ? "cabac" : "arith";
    st->bytes += 5 + best.size();
  }
}

std::vector<int32_t> read_block(ByteReader& r, size_t count, TensorStats* st) {
  size_t start = r.position();
  uint8_t coder = r.u8();
  uint32_t size = r.u32();
  const uint8_t* data = r.take(size);
  std::vector<int32_t> out;
  if (coder == uint8_t(Coder::Cabac))
    out = cabac_decode(data, size, count);
  else if (coder == uint8_t(Coder::HtsArith))
    out = hts_decode(data, size, count);
  else
    throw Error(r.what() + ": unknown entropy coder " + std::to_string(coder));
  if (st) {
    st->symbols = count;
    st->bytes += r.position() - start;
    st->entropy_bits = order0_entropy_bits(out);
    st->coder = coder == uint8_t(Coder::Cabac) ? "cabac" : "arith";
  }
  return out;
}

namespace {

float finite_f32(ByteReader& r, const char* what) {
  float v = r.f32();
  if (!std::isfinite(v)) throw Error(r.what() + ": non-finite " + what);
  return v;
}

// §3.1: every decoded symbol lies in [lo, hi] (an entropy coder can send any int32).
void check_range(const std::vector<int32_t>& s, int64_t lo, int64_t hi, const std::string& where,
                 const char* what) {
  for (int32_t v : s)
    if (v < lo || v > hi)
      throw Error(where + ": " + what + " " + std::to_string(v) + " out of range [" +
                  std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

}  // namespace

size_t TensorShape::numel() const {
  size_t n = 1;
  for (int64_t d : dims) n *= size_t(d);
  return n;
}

std::vector<uint8_t> write_segment_payload(const SegmentPayload& p, SegmentType type,
                                           std::vector<TensorStats>* stats) {
  ByteWriter w;
  TensorStats est{"embeddings"};
  size_t start = w.size();
  for (size_t c = 0; c < p.embed_grid.step.size(); ++c) {
    w.f32(p.embed_grid.offset[c]);
    w.f32(p.embed_grid.step[c]);
  }
  est.bytes = w.size() - start;
  write_block(w, p.embed_symbols, &est);
  if (stats) stats->push_back(est);
  for (size_t t = 0; t < p.symbols.size(); ++t) {
    TensorStats st;
    start = w.size();
    if (type == SegmentType::Intra)
      for (float s : p.grids[t].step) w.u16(bf16_bits(s));
    st.bytes = w.size() - start;
    write_block(w, p.symbols[t], &st);
    if (stats) stats->push_back(st);
  }
  return std::move(w.data());
}

SegmentPayload read_segment_payload(const std::vector<uint8_t>& bytes, SegmentType type,
                                    uint32_t frames, const std::vector<int64_t>& embed_shape,
                                    int embed_bits, const std::vector<TensorShape>& tensors,
                                    const std::string& where, std::vector<TensorStats>* stats) {
  ByteReader r(bytes.data(), bytes.size(), where);
  SegmentPayload p;
  size_t embed_numel = 1;
  for (int64_t d : embed_shape) embed_numel *= size_t(d);
  size_t channels = embed_shape.empty() ? 0 : size_t(embed_shape[0]);
  TensorStats est{"embeddings"};
  for (size_t c = 0; c < channels; ++c) {
    p.embed_grid.offset.push_back(finite_f32(r, "embedding offset"));
    p.embed_grid.step.push_back(finite_f32(r, "embedding step"));
  }
  est.bytes = channels * 8;
  p.embed_symbols = read_block(r, embed_numel * frames, &est);
  int64_t half = int64_t(1) << (embed_bits - 1);
  check_range(p.embed_symbols, -half, half - 1, where, "embedding symbol");
  if (stats) stats->push_back(est);
  for (const TensorShape& t : tensors) {
    TensorStats st{t.name};
    if (type == SegmentType::Intra) {
      WeightGrid g;
      for (size_t c = 0; c < t.channels(); ++c) {
        float s = from_bf16_bits(r.u16());
        if (!std::isfinite(s)) throw Error(where + ": non-finite weight step");
        g.step.push_back(s);
      }
      st.bytes = t.channels() * 2;
      p.grids.push_back(std::move(g));
    }
    p.symbols.push_back(read_block(r, t.numel(), &st));
    if (type == SegmentType::Intra)
      check_range(p.symbols.back(), -kMaxSymbol, kMaxSymbol, where, "weight symbol");
    else  // a change between two weights within ±2^20
      check_range(p.symbols.back(), -2 * int64_t(kMaxSymbol), 2 * int64_t(kMaxSymbol), where,
                  "weight change");
    if (stats) stats->push_back(st);
  }
  if (r.remaining() != 0) throw Error(where + ": payload has unexpected trailing bytes");
  return p;
}

}  // namespace nerv
