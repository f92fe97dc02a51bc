// Encoder configuration: a preset from configs/ (compiled in) or a JSON file of the same shape.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nerv {

// Differentiable stand-ins for rounding the latents: soft rounding with Gaussian noise (both
// annealed, as Cool-chic), or additive uniform noise.
enum class Proxy { SoftRound, Uniform };

struct TrainConfig {
  int epochs = 300;       // the first segment, fitted from scratch
  int warm_epochs = 150;  // every later segment, warm-started from the previous decoded weights
  int batch_size = 2;
  double lr = 2e-3;
  double warmup = 0.1;  // fraction of the epochs with a linear warm-up
  int qat_epochs = 30;  // quantisation-aware fine-tune of the decoder
  double qat_lr = 2e-4;
  double msssim_weight = 0;   // loss = (1 - a) * MSE_611 + a * (1 - MS-SSIM)
  double temporal_l1 = 1e-4;  // penalty per quantisation step of change from the last segment
  // Latent-grid family only: an "epoch" is one training step over the whole segment, and
  // qat_epochs are the final steps with hard-rounded latents.
  double lambda = 0;               // loss = D + lambda * R, R in bits per pixel
  double latent_lr = 0.2;          // learning rate of the latent grids (the networks use lr)
  Proxy proxy = Proxy::SoftRound;  // what stands in for rounding while the latents train
  // Fits that start from a predictor's latents scale lr and latent_lr by this (and by K / 30
  // for refinements of K < 30 steps).
  double refine_lr = 0.3;
};

struct QuantConfig {
  int weight_bits = 6;
  int embed_bits = 6;
};

struct CodecConfig {
  std::string name;
  std::string description;
  int segment_frames = 16;
  int intra_period = 4;  // every K-th segment is coded without reference to the one before
  nlohmann::json model;  // architecture, see models/
  TrainConfig train;
  QuantConfig quant;
};

// Strict: unknown keys, wrong types, out-of-range values and impossible shapes are errors.
CodecConfig parse_codec_config(const nlohmann::json& j, const std::string& where);
CodecConfig load_config_file(const std::string& path);
CodecConfig load_preset(const std::string& name);
std::vector<std::string> preset_names();
// Sets the first segment's epochs; warm-started segments and QAT scale with it.
void override_epochs(TrainConfig& t, int epochs);
// Every segment, intra or not, fits for `steps` steps, then steps / 10 with hard-rounded
// latents (encode --refine: a prediction refined; 0: coded as predicted).
void refine_steps(TrainConfig& t, int steps);

// The whole config, as parse_codec_config reads it.
nlohmann::json config_json(const CodecConfig& c);
// The prior a stream's config names (grid streams from 1.5), or "".
std::string stream_prior(const nlohmann::json& stream_config);

// What the decoder needs, stored in the stream header: {"model": ..., "quant": ...} (no "quant"
// for the grid family).
nlohmann::json decoder_config(const CodecConfig& c);
void parse_decoder_config(const nlohmann::json& j, nlohmann::json& model, QuantConfig& quant);

}  // namespace nerv
