// A trained latent predictor (models/latent_predictor.h) as a file: the network's weights, the
// grid model it predicts for and the id of the prior (grid_prior.h) whose synthesis and context
// model its latents are meant for. Encoder-side only: streams never name it.
//
// The file: a tensor file (codec/tensor_file.h), magic "NERVPRED", format 1, JSON {"name",
// "model", "prior", "in_channels", "channels", "depth" (optional, when not 2), "lambda"
// (optional), "notes"}. The hash:
// tensors_hash() of that JSON without "notes" and the tensors.
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "codec/config.h"
#include "codec/grid_prior.h"
#include "models/latent_predictor.h"

namespace nerv {

struct GridPredictor {
  std::string name;
  nlohmann::json model;  // the grid model config
  std::string prior;     // prior_id() of the prior it was trained with
  int in_channels = 6;   // 6: 4:2:0 video (the only kind train-hyper makes)
  int channels = 24;
  int depth = 2;         // the trunk's convolutions
  double lambda = 0;     // the rate weight it was trained at (0: not recorded)
  NamedTensors tensors;  // LatentPredictor::tensors(), on the CPU
  nlohmann::json notes;  // how it was made, or a training checkpoint's state (not hashed)
  uint64_t hash = 0;     // set by load/parse/save
};

uint64_t predictor_hash(const GridPredictor& p);
// "name@0123456789abcdef"
std::string predictor_id(const GridPredictor& p);
// Throws nerv::Error naming the file: missing, truncated, damaged, another format or kind.
GridPredictor load_predictor(const std::string& path);
GridPredictor parse_predictor(const uint8_t* data, size_t size, const std::string& path);
// Written under a temporary name and renamed when complete; sets p.hash.
void save_predictor(const std::string& path, GridPredictor& p);

// Throws nerv::Error unless `p` predicts for `cfg`'s model and for `prior` (which must be set).
void check_predictor(const GridPredictor& p, const GridPrior* prior, const CodecConfig& cfg);

// The network with the file's weights. Throws nerv::Error if they do not fit its shape.
std::shared_ptr<LatentPredictor> make_latent_predictor(const GridPredictor& p);

}  // namespace nerv
