// A prior of the `grid` family: synthesis and context-model weights learned across many
// segments (nervc train-prior), from which an intra segment's fit starts instead of from random
// weights. The file is versioned and named by a hash of its contents.
//
// File layout (little-endian): "NERVPRIO", u16 format (1), u32 JSON length, JSON
// {"name", "model" (the model config it was trained for), "notes"}, u32 tensor count, per tensor:
// u16 name length, name, u8 dimensions, u32 per dimension, binary32 values; then the CRC-32 of
// everything before it. The hash: FNV-1a 64 over the model config's compact JSON and every
// tensor's name, shape and values.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codec/config.h"
#include "models/model.h"

namespace nerv {

struct GridPrior {
  std::string name;
  nlohmann::json model;  // the model config ("arch": "grid", levels, synthesis, ...)
  NamedTensors tensors;  // the transmitted tensors, in bitstream order, on the CPU
  nlohmann::json notes;  // how it was made, or a training checkpoint's state (not hashed)
  uint64_t hash = 0;     // prior_hash(): set by load_prior() and save_prior()
};

uint64_t prior_hash(const GridPrior& p);
// "name@0123456789abcdef"
std::string prior_id(const GridPrior& p);
// Throws nerv::Error unless `cfg` is of the grid family with the model the prior was trained for.
void check_prior_config(const GridPrior& p, const CodecConfig& cfg);
// Throws nerv::Error naming the file: missing, truncated, damaged (CRC), another format.
GridPrior load_prior(const std::string& path);
// The same from bytes in memory; `path` names them in errors.
GridPrior parse_prior(const uint8_t* data, size_t size, const std::string& path);
// Written under a temporary name and renamed when complete; sets p.hash.
void save_prior(const std::string& path, GridPrior& p);

}  // namespace nerv
