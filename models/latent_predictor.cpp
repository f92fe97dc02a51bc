#include "models/latent_predictor.h"

#include "base/error.h"

namespace nerv {

LatentPredictor::LatentPredictor(int in_channels, int levels, int channels, int depth)
    : in_(in_channels), channels_(channels) {
  namespace nn = torch::nn;
  if (depth < 2) throw Error("latent predictor: its trunk needs two convolutions or more");
  for (int i = 0; i < depth; ++i)
    trunk_.push_back(register_module(
        "trunk" + std::to_string(i),
        nn::Conv2d(nn::Conv2dOptions(i ? channels : in_channels, channels, 3).padding(1))));
  for (int l = 0; l < levels; ++l) {
    head_.push_back(
        register_module("head" + std::to_string(l),
                        nn::Conv2d(nn::Conv2dOptions(channels, channels, 3).padding(1))));
    out_.push_back(
        register_module("out" + std::to_string(l), nn::Conv2d(nn::Conv2dOptions(channels, 1, 1))));
  }
}

std::vector<torch::Tensor> LatentPredictor::forward(
    const torch::Tensor& y, const torch::Tensor& uv,
    const std::vector<std::array<int64_t, 3>>& shapes) {
  if (shapes.size() != head_.size()) throw Error("latent predictor: made for another grid");
  // Chroma-resolution input, centred.
  torch::Tensor x;
  if (in_ == 6) {
    int64_t hc = uv.size(2), wc = uv.size(3);
    namespace F = torch::nn::functional;
    // Odd sizes: the luma padded by replication to twice the chroma size before folding.
    torch::Tensor yp = F::pad(
        y,
        F::PadFuncOptions({0, 2 * wc - y.size(3), 0, 2 * hc - y.size(2)}).mode(torch::kReplicate));
    x = torch::cat({torch::pixel_unshuffle(yp, 2), uv}, 1);
  } else {
    x = uv.defined() ? torch::cat({y, uv}, 1) : y;
  }
  if (x.size(1) != in_) throw Error("latent predictor: made for another pixel format");
  x = torch::relu(trunk_[0]->forward(x - 0.5));
  x = torch::relu(trunk_[1]->forward(x));
  for (size_t i = 2; i < trunk_.size(); ++i) x = x + torch::relu(trunk_[i]->forward(x));
  // [T, C, H, W] -> [1, C, T, H, W] for pooling over frames and cells at once.
  torch::Tensor f = x.permute({1, 0, 2, 3}).unsqueeze(0);
  std::vector<torch::Tensor> out;
  for (size_t l = 0; l < shapes.size(); ++l) {
    torch::Tensor p = torch::adaptive_avg_pool3d(f, {shapes[l][0], shapes[l][1], shapes[l][2]});
    p = p.squeeze(0).permute({1, 0, 2, 3});  // [T_l, C, H_l, W_l]
    p = torch::relu(head_[l]->forward(p));
    out.push_back(out_[l]->forward(p).squeeze(1));
  }
  return out;
}

NamedTensors LatentPredictor::tensors() {
  NamedTensors t;
  for (auto& p : named_parameters(true)) t.emplace_back(p.key(), p.value());
  return t;
}

}  // namespace nerv
