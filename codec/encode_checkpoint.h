// The state of a resumable encode after its last complete segment, kept beside the partial
// stream (`OUT.partial`, `OUT.partial.state`) so that an encode interrupted by a signal, a
// crash or a power cut continues with --resume and ends byte-identical to one that never
// stopped.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "codec/bitstream.h"

namespace nerv {

struct EncodeCheckpoint {
  std::string fingerprint;    // of everything the bytes depend on but the frames (see encoder.cpp)
  uint64_t input_hash = 0;    // FNV-1a of the frames' samples read so far
  uint32_t segments = 0;      // complete segments in the partial stream
  uint64_t stream_bytes = 0;  // length of the partial stream after them
  std::vector<double> segment_seconds, train_seconds;  // per segment, for the report
  torch::Tensor rng;                                   // libtorch's default CPU generator
  std::vector<torch::Tensor> family_state;             // FamilyEncoder::state()
};

// Written under a temporary name and renamed, so that a crash while saving leaves the previous
// checkpoint. Throws nerv::Error on failure.
void save_checkpoint(const std::string& path, const EncodeCheckpoint& c);
// Throws nerv::Error naming the file when it is unreadable or not a checkpoint.
EncodeCheckpoint load_checkpoint(const std::string& path);

// FNV-1a 64 over a frame's samples, chained from `h`.
uint64_t hash_frame(uint64_t h, const Frame& f);
constexpr uint64_t kHashStart = 0xcbf29ce484222325ull;

}  // namespace nerv
