// §3.1 of docs/bitstream.md: a segment's payload as integers and grids, and its bytes. The
// payload carries the quantised per-frame embeddings and, per decoder tensor, either the
// quantised weights with their grid (intra) or the integer change since the previous segment
// (residual).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "codec/bitstream.h"
#include "codec/byte_io.h"
#include "codec/quant.h"

namespace nerv {

struct TensorShape {
  std::string name;
  std::vector<int64_t> dims;
  size_t numel() const;
  size_t channels() const { return dims.size() >= 2 ? size_t(dims[0]) : 1; }
};

struct SegmentPayload {
  AffineGrid embed_grid;
  std::vector<int32_t> embed_symbols;         // frames x embedding shape
  std::vector<WeightGrid> grids;              // intra only, one per tensor
  std::vector<std::vector<int32_t>> symbols;  // per tensor: weights (intra) or changes
};

// Size of each coded block next to what the other coder would have taken, for reports.
struct TensorStats {
  std::string name;
  size_t symbols = 0;
  size_t bytes = 0;        // as stored (coder choice, grid and length fields included)
  size_t cabac_bytes = 0;  // entropy-coded size with each coder
  size_t hts_bytes = 0;
  double entropy_bits = 0;  // order-0 empirical entropy of the symbols
  std::string coder;
};

// §3.2 coded block of signed symbols (both coders run, the smaller is stored); `st`, if given,
// gets the block's sizes added. The reader knows the symbol count from context.
void write_block(ByteWriter& w, const std::vector<int32_t>& symbols, TensorStats* st);
std::vector<int32_t> read_block(ByteReader& r, size_t count, TensorStats* st);

// `embed_shape` is one frame's embedding shape, `embed_bits` b_e; `tensors` the decoder's
// tensors in order. Every symbol is checked against its range (§3.1).
std::vector<uint8_t> write_segment_payload(const SegmentPayload& p, SegmentType type,
                                           std::vector<TensorStats>* stats);
SegmentPayload read_segment_payload(const std::vector<uint8_t>& bytes, SegmentType type,
                                    uint32_t frames, const std::vector<int64_t>& embed_shape,
                                    int embed_bits, const std::vector<TensorShape>& tensors,
                                    const std::string& where, std::vector<TensorStats>* stats);

}  // namespace nerv
