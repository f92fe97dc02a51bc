#include "models/hnerv.h"

#include "base/error.h"
#include "base/json_fields.h"

namespace nerv {
namespace {

torch::nn::Conv2d conv(int in, int out, int k, int stride = 1) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(stride == 1 ? k / 2 : 0));
}

}  // namespace

int HnervConfig::total_stride() const {
  int s = 1;
  for (int v : strides) s *= v;
  return s;
}

HnervConfig parse_hnerv_config(const nlohmann::json& j) {
  JsonFields f(j, "model");
  f.string("arch");
  HnervConfig c;
  c.strides = f.integers("strides", 1, 8, 1, 8);
  size_t n = c.strides.size();
  c.channels = f.integers("channels", 1, 1024, n, n);
  c.kernels = f.integers("kernel_sizes", 1, 9, n, n);
  c.encoder_channels = f.integers("encoder_channels", 1, 1024, n, n);
  c.embed_channels = f.integer("embed_channels", 1, 256);
  c.stem_channels = f.integer("stem_channels", 1, 1024);
  c.head_kernel = f.integer("head_kernel", 1, 9, 3);
  c.activation = f.string("activation", std::string("gelu"));
  f.finish();
  for (int k : c.kernels)
    if (k % 2 == 0) throw Error("model.kernel_sizes: kernels must be odd");
  if (c.head_kernel % 2 == 0) throw Error("model.head_kernel: must be odd");
  if (c.activation != "gelu" && c.activation != "relu" && c.activation != "silu")
    throw Error("model.activation: '" + c.activation + "' is not one of gelu, relu, silu");
  if (c.total_stride() > 512) throw Error("model.strides: total stride above 512");
  return c;
}

Hnerv::Hnerv(const HnervConfig& cfg, int width, int height) : cfg_(cfg) {
  int s = cfg.total_stride();
  if (s % 2) s *= 2;  // 4:2:0 chroma needs an even padded size
  pw_ = (width + s - 1) / s * s;
  ph_ = (height + s - 1) / s * s;
  size_t n = cfg.strides.size();
  int in = 3;
  for (size_t i = 0; i < n; ++i) {  // encoder: strides in reverse, patchify convolutions
    int st = cfg.strides[n - 1 - i];
    enc_.push_back(register_module("enc" + std::to_string(i),
                                   conv(in, cfg.encoder_channels[i], st == 1 ? 3 : st, st)));
    in = cfg.encoder_channels[i];
  }
  enc_out_ = register_module("enc_out", conv(in, cfg.embed_channels, 1));
  stem_ = register_module("stem", conv(cfg.embed_channels, cfg.stem_channels, 1));
  in = cfg.stem_channels;
  for (size_t i = 0; i < n; ++i) {
    int st = cfg.strides[i];
    blocks_.push_back(register_module("block" + std::to_string(i),
                                      conv(in, cfg.channels[i] * st * st, cfg.kernels[i])));
    in = cfg.channels[i];
  }
  head_ = register_module("head", conv(in, 3, cfg.head_kernel));
}

std::vector<int64_t> Hnerv::embedding_shape() const {
  int s = cfg_.total_stride();  // pw_, ph_ are multiples of it
  return {cfg_.embed_channels, ph_ / s, pw_ / s};
}

torch::Tensor Hnerv::act(const torch::Tensor& x) const {
  if (cfg_.activation == "relu") return torch::relu(x);
  if (cfg_.activation == "silu") return torch::silu(x);
  return torch::gelu(x);
}

torch::Tensor Hnerv::embed(const torch::Tensor& frames, const torch::Tensor&) {
  torch::Tensor x = frames;
  for (auto& c : enc_) x = act(c->forward(x));
  return enc_out_->forward(x);
}

torch::Tensor Hnerv::decode(const torch::Tensor& emb) {
  torch::Tensor x = act(stem_->forward(emb));
  for (size_t i = 0; i < blocks_.size(); ++i)
    x = act(torch::pixel_shuffle(blocks_[i]->forward(x), cfg_.strides[i]));
  return torch::sigmoid(head_->forward(x));
}

double Hnerv::decoder_activations_per_pixel() const {
  double area = 1.0 / (double(cfg_.total_stride()) * cfg_.total_stride());
  double values = area * cfg_.stem_channels;
  for (size_t i = 0; i < cfg_.strides.size(); ++i) {
    area *= double(cfg_.strides[i]) * cfg_.strides[i];
    values += 2 * area * cfg_.channels[i];  // the convolution's output, then the activation's
  }
  return values + 3;
}

NamedTensors Hnerv::coded_tensors() {
  NamedTensors out;
  auto add = [&](const std::string& name, torch::nn::Conv2d& c) {
    out.emplace_back(name + ".weight", c->weight);
    out.emplace_back(name + ".bias", c->bias);
  };
  add("stem", stem_);
  for (size_t i = 0; i < blocks_.size(); ++i) add("block" + std::to_string(i), blocks_[i]);
  add("head", head_);
  return out;
}

std::vector<torch::Tensor> Hnerv::encoder_parameters() {
  std::vector<torch::Tensor> out;
  for (auto& c : enc_)
    for (auto& p : c->parameters()) out.push_back(p);
  for (auto& p : enc_out_->parameters()) out.push_back(p);
  return out;
}

double Hnerv::decoder_macs_per_pixel() const {
  double area = 1.0 / (double(cfg_.total_stride()) * cfg_.total_stride());  // input px per px
  double macs = area * cfg_.embed_channels * cfg_.stem_channels;
  int in = cfg_.stem_channels;
  for (size_t i = 0; i < cfg_.strides.size(); ++i) {
    int st = cfg_.strides[i], k = cfg_.kernels[i];
    macs += area * double(k) * k * in * cfg_.channels[i] * st * st;
    area *= double(st) * st;
    in = cfg_.channels[i];
  }
  return macs + double(cfg_.head_kernel) * cfg_.head_kernel * in * 3;
}

}  // namespace nerv
