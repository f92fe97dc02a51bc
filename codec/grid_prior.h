// A prior of the `grid` family: synthesis and context-model weights learned across many
// segments (nervc train-prior), from which an intra segment's fit starts instead of from random
// weights. The file is versioned and named by a hash of its contents.
//
// The file: a tensor file (codec/tensor_file.h), magic "NERVPRIO", format 1, JSON
// {"name", "model" (the model config it was trained for), "notes"}. The hash: tensors_hash()
// of the model config and the tensors.
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
