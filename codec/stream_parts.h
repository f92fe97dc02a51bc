// Sharded encoding (docs/bitstream.md §5.2). A chain is an intra segment and the residual
// segments up to the next intra one; chains depend on nothing before them, so a long input can
// be encoded as parts, each a range of chains in a stream of its own (`nervc encode --chains
// A:B`), on as many machines, and joined (`nervc concat`) into the very stream one whole encode
// writes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nerv {

// What the `part` chunk of a part stream says: its chains of the input, and what the parts of
// one encode share beyond the stream header.
struct PartInfo {
  uint32_t chains_begin = 0, chains_end = 0;  // [begin, end)
  uint32_t chain_count = 0;                   // of the whole input
  uint64_t frames = 0;                        // of the whole input
  uint64_t seed = 0;
  std::string input;  // the input's file name
};

std::vector<uint8_t> write_part_chunk(const PartInfo& p);
// Throws nerv::Error naming `where` if the chunk body is not a valid part record.
PartInfo parse_part_chunk(const std::vector<uint8_t>& body, const std::string& where);

// Shard i of n (0 <= i < n): the i-th of n contiguous ranges of `chains` chains, as even as can
// be (sizes differ by one at most, the larger ones last). Throws if n > chains: a shard
// without a chain has nothing to encode.
void shard_chains(uint32_t i, uint32_t n, uint32_t chains, uint32_t& begin, uint32_t& end);

struct ConcatReport {
  uint32_t parts = 0, segments = 0;
  uint64_t frames = 0, bytes = 0;
};

// Joins the part streams of one encode, given in any order, into `output` (written under a
// temporary name, renamed when complete). The parts must agree on the stream header, input,
// seed and chain count, and hold every chain exactly once; a missing, duplicated, foreign or
// damaged part is a nerv::Error naming it, and nothing is written. Chunk by chunk: memory does
// not grow with the stream.
ConcatReport concat_parts(const std::vector<std::string>& parts, const std::string& output);

}  // namespace nerv
