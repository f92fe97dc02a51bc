// The interface every implicit-neural-representation architecture implements. The codec sees
// only this: which tensors are transmitted, how a frame's embedding is made, and how frames are
// produced from embeddings. Architectures are chosen by the "arch" key of the model config.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace nerv {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

class InrModel : public torch::nn::Module {
 public:
  // Frames are padded up to this size (a multiple of the network's total stride) and the
  // output is cropped back.
  virtual int padded_width() const = 0;
  virtual int padded_height() const = 0;
  // Shape of one frame's transmitted embedding, e.g. {C, h, w}; empty if the architecture
  // derives its input from the frame index alone.
  virtual std::vector<int64_t> embedding_shape() const = 0;
  // frames: [N, 3, Hp, Wp] YUV 4:4:4 in [0, 1]; indices: the frames' positions in the segment.
  virtual torch::Tensor embed(const torch::Tensor& frames, const torch::Tensor& indices) = 0;
  // embeddings: [N, ...embedding_shape] -> [N, 3, Hp, Wp] YUV 4:4:4 in [0, 1].
  virtual torch::Tensor decode(const torch::Tensor& embeddings) = 0;
  // The decoder's parameters, in bitstream order: these are quantised and transmitted.
  virtual NamedTensors coded_tensors() = 0;
  // Parameters that are trained but never transmitted (the frame encoder).
  virtual std::vector<torch::Tensor> encoder_parameters() = 0;
  // Multiply-accumulates per output pixel of the decoder.
  virtual double decoder_macs_per_pixel() const = 0;
  // Activation values the decoder writes per output pixel (each layer's output once): with the
  // element size, the memory-traffic floor of decoding.
  virtual double decoder_activations_per_pixel() const = 0;
};

// Checks a model config strictly (unknown keys, impossible shapes): throws nerv::Error.
void validate_model_config(const nlohmann::json& cfg);
// Builds the architecture named by cfg["arch"] for frames of width x height.
std::shared_ptr<InrModel> make_model(const nlohmann::json& cfg, int width, int height);

}  // namespace nerv
