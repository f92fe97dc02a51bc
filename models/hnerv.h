// HNeRV-style network (Chen et al., CVPR 2023): a small convolutional encoder turns each
// frame into a tiny spatial embedding; the decoder (1x1 stem, then conv -> PixelShuffle ->
// activation blocks, then a conv head) rebuilds the frame from it.
#pragma once
#include "models/model.h"

namespace nerv {

struct HnervConfig {
  std::vector<int> strides;           // decoder upsampling factor per block
  std::vector<int> channels;          // decoder block output channels
  std::vector<int> kernels;           // decoder block kernel sizes (odd)
  std::vector<int> encoder_channels;  // encoder stage channels (mirror of the strides)
  int embed_channels = 16;
  int stem_channels = 64;
  int head_kernel = 3;
  std::string activation = "gelu";
  int total_stride() const;
};

HnervConfig parse_hnerv_config(const nlohmann::json& cfg);

class Hnerv final : public InrModel {
 public:
  Hnerv(const HnervConfig& cfg, int width, int height);
  int padded_width() const override { return pw_; }
  int padded_height() const override { return ph_; }
  std::vector<int64_t> embedding_shape() const override;
  torch::Tensor embed(const torch::Tensor& frames, const torch::Tensor& indices) override;
  torch::Tensor decode(const torch::Tensor& embeddings) override;
  NamedTensors coded_tensors() override;
  std::vector<torch::Tensor> encoder_parameters() override;
  double decoder_macs_per_pixel() const override;
  double decoder_activations_per_pixel() const override;

 private:
  torch::Tensor act(const torch::Tensor& x) const;

  HnervConfig cfg_;
  int pw_, ph_;
  std::vector<torch::nn::Conv2d> enc_;
  torch::nn::Conv2d enc_out_{nullptr}, stem_{nullptr}, head_{nullptr};
  std::vector<torch::nn::Conv2d> blocks_;
};

}  // namespace nerv
