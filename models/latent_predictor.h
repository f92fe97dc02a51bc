// The latent predictor of the grid family (issue 15's hypernetwork, in small): an encoder-side
// network that maps a segment's frames to its latent grids in one forward pass, for the
// synthesis and context model of the prior it was trained with. It is never transmitted and
// never needed to decode: what it predicts is quantised and coded like fitted latents, and a
// fit may refine it.
//
// Shape: the frames at the chroma resolution (4:2:0 luma folded into four channels beside U
// and V; RGB or grey as they are), two 3x3 convolutions to `channels` features (a deeper trunk
// adds residual 3x3 convolutions, `depth` in all); for each
// latent level, the features averaged over the level's cells (adaptive pooling to its
// [T_l, H_l, W_l]) and a head of a 3x3 convolution and a 1x1 one to the latent value.
#pragma once
#include <torch/torch.h>

#include <array>
#include <vector>

#include "models/model.h"

namespace nerv {

class LatentPredictor final : public torch::nn::Module {
 public:
  // in_channels: the synthesis' samples per position (6 for 4:2:0, 3 RGB, 1 grey);
  // levels: how many latent levels the grid has; depth: trunk convolutions (2 or more).
  LatentPredictor(int in_channels, int levels, int channels, int depth = 2);

  int channels() const { return channels_; }
  int depth() const { return int(trunk_.size()); }
  // y: [T, 1, H, W], uv: [T, 2, Hc, Wc] (or undefined for grey), values in [0, 1], as
  // frames_to_tensors() gives them; shapes: latent_shapes() of the grid. Returns the latents
  // per level, [T_l, H_l, W_l].
  std::vector<torch::Tensor> forward(const torch::Tensor& y, const torch::Tensor& uv,
                                     const std::vector<std::array<int64_t, 3>>& shapes);
  // Every parameter, in a fixed order (the predictor file's).
  NamedTensors tensors();

 private:
  int in_, channels_;
  std::vector<torch::nn::Conv2d> trunk_, head_, out_;
};

}  // namespace nerv
