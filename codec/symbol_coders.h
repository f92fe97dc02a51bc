// Two entropy coders for streams of signed integer symbols (quantised weights, residuals,
// embeddings). The segment writer runs both on every tensor and keeps the smaller.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nerv {

// Every symbol of a coded block (§6) has |v| <= 2^30: both coders can code it, and decoders
// refuse anything larger. The encoders throw nerv::Error beyond it.
constexpr int64_t kMaxBlockSymbol = int64_t(1) << 30;

// DeepCABAC-style binarisation over the adaptive binary coder: significance flag (context:
// was the previous symbol zero), sign, kGreaterFlags unary "greater than k" flags, then an
// Exp-Golomb remainder with adaptive prefix and bypass suffix.
std::vector<uint8_t> cabac_encode(const std::vector<int32_t>& symbols);
// Throws nerv::Error on a stream that cannot have come from cabac_encode.
std::vector<int32_t> cabac_decode(const uint8_t* p, size_t n, size_t count);

// libhtscodecs' adaptive order-0 arithmetic coder over a byte stream: zigzagged symbols below
// 255 are one byte; larger ones are 255 plus a varint in a separate raw escape stream.
std::vector<uint8_t> hts_encode(const std::vector<int32_t>& symbols);
std::vector<int32_t> hts_decode(const uint8_t* p, size_t n, size_t count);

// Order-0 empirical entropy of the symbols, in bits (the bound an order-0 coder could reach).
double order0_entropy_bits(const std::vector<int32_t>& symbols);

}  // namespace nerv
