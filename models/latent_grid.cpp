#include "models/latent_grid.h"

#include <algorithm>

#include "base/error.h"
#include "base/json_fields.h"
#include "models/arm_rate.h"

namespace nerv {

const std::array<Offset3, kArmContext> kArmOffsets = {{
    {0, -2, -2},  {0, -2, -1}, {0, -2, 0},  {0, -2, 1},  {0, -2, 2},  // two rows up
    {0, -1, -2},  {0, -1, -1}, {0, -1, 0},  {0, -1, 1},  {0, -1, 2},  // one row up
    {0, 0, -2},   {0, 0, -1},                                         // this row
    {-1, -1, -1}, {-1, -1, 0}, {-1, -1, 1}, {-1, 0, -1}, {-1, 0, 0},  // previous latent frame
    {-1, 0, 1},   {-1, 1, -1}, {-1, 1, 0},  {-1, 1, 1},
}};

namespace {
bool power_of_two(int v) {
  return v > 0 && (v & (v - 1)) == 0;
}
int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}
}  // namespace

LatentGridConfig parse_latent_grid_config(const nlohmann::json& cfg) {
  JsonFields f(cfg, "model");
  f.string("arch");
  LatentGridConfig c;
  const nlohmann::json& levels = f.value("levels");
  if (!levels.is_array() || levels.empty() || levels.size() > 12)
    throw Error("model.levels: expected an array of 1..12 [space, time] pairs");
  for (const auto& l : levels) {
    if (!l.is_array() || l.size() != 2 || !l[0].is_number_integer() || !l[1].is_number_integer())
      throw Error("model.levels: expected [space, time] integer pairs");
    GridLevel g{l[0].get<int>(), l[1].get<int>()};
    if (!power_of_two(g.space) || g.space > 1024 || !power_of_two(g.time) || g.time > 1024)
      throw Error("model.levels: divisions must be powers of two from 1 to 1024");
    c.levels.push_back(g);
  }
  c.synthesis = f.integers("synthesis", 1, 256, 0, 6);
  c.refine = f.integer("refine", 0, 4, 2);
  c.arm_hidden = f.integer("arm_hidden", 2, 64, 8);
  c.chain_context = f.boolean("chain_context", false);
  f.finish();
  return c;
}

std::vector<std::array<int64_t, 3>> latent_shapes(const LatentGridConfig& c, int width, int height,
                                                  int frames) {
  int sub = c.full_chroma ? 1 : 2;
  int64_t hb = ceil_div(height, sub), wb = ceil_div(width, sub);
  std::vector<std::array<int64_t, 3>> out;
  for (const GridLevel& l : c.levels)
    out.push_back({ceil_div(frames, l.time), ceil_div(hb, l.space), ceil_div(wb, l.space)});
  return out;
}

LatentGrid::LatentGrid(const LatentGridConfig& cfg, int width, int height)
    : cfg_(cfg), w_(width), h_(height) {
  namespace nn = torch::nn;
  int64_t in = int64_t(cfg.levels.size());
  for (size_t i = 0; i <= cfg.synthesis.size(); ++i) {
    int64_t out = i < cfg.synthesis.size() ? cfg.synthesis[i] : out_channels();
    syn_.push_back(
        register_module("syn" + std::to_string(i), nn::Conv2d(nn::Conv2dOptions(in, out, 1))));
    in = out;
  }
  {
    torch::NoGradGuard ng;  // start at mid-grey rather than black
    syn_.back()->bias.fill_(0.5);
  }
  for (int i = 0; i < cfg.refine; ++i) {
    int64_t c = out_channels();
    refine_.push_back(register_module("refine" + std::to_string(i),
                                      nn::Conv2d(nn::Conv2dOptions(c, c, 3).padding(1))));
    torch::NoGradGuard ng;  // residual layers start as the identity
    refine_.back()->weight.mul_(0.1);
    refine_.back()->bias.zero_();
  }
  int64_t hid = cfg.arm_hidden;
  arm0_ = register_module("arm0", nn::Linear(kArmContext, hid));
  arm1_ = register_module("arm1", nn::Linear(hid, hid));
  arm2_ = register_module("arm2", nn::Linear(hid, 2));
  torch::NoGradGuard ng;  // mean 0, scale 1 until the latents say otherwise
  arm2_->weight.mul_(0.01);
  arm2_->bias.zero_();
}

void LatentGrid::synthesize(const std::vector<torch::Tensor>& latents, int frames, torch::Tensor& y,
                            torch::Tensor& uv) {
  render(upsample(latents, frames), y, uv);
}

torch::Tensor LatentGrid::upsample(const std::vector<torch::Tensor>& latents, int frames) const {
  std::vector<torch::Tensor> up;
  for (const torch::Tensor& l : latents) up.push_back(upsample_level(l, frames));
  return stack_levels(up);
}

torch::Tensor LatentGrid::upsample_level(const torch::Tensor& l, int frames) const {
  namespace F = torch::nn::functional;
  int sub = cfg_.full_chroma ? 1 : 2;
  int64_t hb = ceil_div(h_, sub), wb = ceil_div(w_, sub);
  if (l.size(1) == hb && l.size(2) == wb && l.size(0) == frames) return l;
  if (l.size(0) == frames)  // spatial only: the frames as a batch (the same values, faster)
    return F::interpolate(l.unsqueeze(1), F::InterpolateFuncOptions()
                                              .size(std::vector<int64_t>{hb, wb})
                                              .mode(torch::kBilinear)
                                              .align_corners(false))
        .squeeze(1);
  return F::interpolate(l.unsqueeze(0).unsqueeze(0),  // [1, 1, T_l, H_l, W_l]
                        F::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{frames, hb, wb})
                            .mode(torch::kTrilinear)
                            .align_corners(false))
      .squeeze(0)
      .squeeze(0);
}

torch::Tensor LatentGrid::stack_levels(const std::vector<torch::Tensor>& up) {
  // Stacked last, [T, hb, wb, L], and viewed as [T, L, hb, wb]: channels-last for render().
  return torch::stack(up, 3).permute({0, 3, 1, 2});
}

void LatentGrid::render(const torch::Tensor& stacked, torch::Tensor& y, torch::Tensor& uv) {
  // Channels-last: the 1x1 layers become one matrix product over positions (about 1.3x faster
  // on the CPU at these widths).
  torch::Tensor x = stacked.contiguous(torch::MemoryFormat::ChannelsLast);
  for (size_t i = 0; i < syn_.size(); ++i) {
    x = syn_[i]->forward(x);
    if (i + 1 < syn_.size()) x = torch::relu(x);
  }
  for (size_t i = 0; i < refine_.size(); ++i) {
    torch::Tensor r = refine_[i]->forward(x);
    x = x + (i + 1 < refine_.size() ? torch::relu(r) : r);
  }
  if (cfg_.full_chroma) {
    y = x.narrow(1, 0, 1);
    uv = x.narrow(1, 1, out_channels() - 1);
    return;
  }
  y = torch::pixel_shuffle(x.narrow(1, 0, 4), 2).narrow(2, 0, h_).narrow(3, 0, w_);
  uv = x.narrow(1, 4, 2);
}

torch::Tensor LatentGrid::contexts(const torch::Tensor& latent) {
  namespace F = torch::nn::functional;
  int64_t T = latent.size(0), H = latent.size(1), W = latent.size(2);
  // Pad one frame before, two rows above and one below, two columns on either side.
  torch::Tensor p = F::pad(latent.unsqueeze(0), F::PadFuncOptions({2, 2, 2, 1, 1, 0})).squeeze(0);
  std::vector<torch::Tensor> cols;
  for (const Offset3& o : kArmOffsets)
    cols.push_back(
        p.narrow(0, 1 + o.t, T).narrow(1, 2 + o.y, H).narrow(2, 2 + o.x, W).reshape({-1}));
  return torch::stack(cols, 1);
}

void LatentGrid::arm(const torch::Tensor& ctx, torch::Tensor& mu, torch::Tensor& log2_scale) {
  torch::Tensor h = torch::relu(arm0_->forward(ctx));
  h = torch::relu(arm1_->forward(h));
  torch::Tensor out = arm2_->forward(h);
  mu = out.select(1, 0);
  log2_scale = out.select(1, 1);
}

namespace {
// A level with its context frame ahead, and how many leading latents are context only.
torch::Tensor with_before(const torch::Tensor& l, const std::vector<torch::Tensor>& before,
                          size_t level, int64_t& skip) {
  skip = 0;
  if (level >= before.size() || !before[level].defined()) return l;
  skip = l.size(1) * l.size(2);
  return torch::cat({before[level].to(l.options()).detach(), l}, 0);
}
}  // namespace

torch::Tensor LatentGrid::rate_bits(const std::vector<torch::Tensor>& latents,
                                    const std::vector<torch::Tensor>& before) {
  if (!latents[0].device().is_cpu() || latents[0].scalar_type() != torch::kFloat)
    return rate_bits_ops(latents, before);
  torch::Tensor total = torch::zeros({}, latents[0].options());
  for (size_t i = 0; i < latents.size(); ++i) {
    int64_t skip;
    torch::Tensor l = with_before(latents[i], before, i, skip);
    total = total + arm_rate_bits_cpu(l, arm0_->weight, arm0_->bias, arm1_->weight, arm1_->bias,
                                      arm2_->weight, arm2_->bias, skip);
  }
  return total;
}

torch::Tensor LatentGrid::rate_bits_ops(const std::vector<torch::Tensor>& latents,
                                        const std::vector<torch::Tensor>& before) {
  torch::Tensor total = torch::zeros({}, latents[0].options());
  for (size_t i = 0; i < latents.size(); ++i) {
    int64_t skip;
    torch::Tensor full = with_before(latents[i], before, i, skip);
    torch::Tensor l = full.reshape({-1}).narrow(0, skip, full.numel() - skip);
    torch::Tensor mu, ls;
    arm(contexts(full).narrow(0, skip, full.numel() - skip), mu, ls);
    // The coder's steps, straight through, ties up (as the fused pass).
    mu = mu + (torch::floor(16 * mu + 0.5) / 16 - mu).detach();
    ls = ls + (torch::floor(8 * ls + 0.5) / 8 - ls).detach();
    // As the fused pass: the scale clamp acts on the value only; beyond the 16-bit cap only
    // the scale gets a gradient.
    torch::Tensor lsc = ls + (ls.clamp(kMinLog2Scale, kMaxLog2Scale) - ls).detach();
    torch::Tensor b = torch::exp2(lsc);
    torch::Tensor d = l - mu, a = d.abs();
    torch::Tensor tail = a >= 0.5;
    // Tail bins in the log domain: p = e^(-(a - 1/2) / b) (1 - e^(-1/b)) / 2.
    torch::Tensor bits_tail = (M_LN2 + (a - 0.5) / b - torch::log1p(-torch::exp(-1 / b))) / M_LN2;
    // Centre bin (|d| < 1/2; a clamped so that the unused branch stays finite).
    torch::Tensor ac = a.clamp_max(0.499);
    torch::Tensor p = 1 - 0.5 * torch::exp(-(0.5 - ac) / b) - 0.5 * torch::exp(-(0.5 + ac) / b);
    torch::Tensor bits = torch::where(tail, bits_tail, -torch::log2(p));
    // Beyond the cap: the scale's gradient only (the latent's is cut, as in the fused pass).
    torch::Tensor capped = bits >= 16;
    torch::Tensor bits_scale_only =
        torch::where(capped, bits_tail - (a - a.detach()) / (b.detach() * M_LN2), bits);
    total = total + (bits_scale_only + (bits.clamp_max(16) - bits_scale_only).detach()).sum();
  }
  return total;
}

NamedTensors LatentGrid::synthesis_tensors() {
  NamedTensors out;
  for (size_t i = 0; i < syn_.size(); ++i) {
    out.push_back({"syn" + std::to_string(i) + ".weight", syn_[i]->weight});
    out.push_back({"syn" + std::to_string(i) + ".bias", syn_[i]->bias});
  }
  for (size_t i = 0; i < refine_.size(); ++i) {
    out.push_back({"refine" + std::to_string(i) + ".weight", refine_[i]->weight});
    out.push_back({"refine" + std::to_string(i) + ".bias", refine_[i]->bias});
  }
  return out;
}

NamedTensors LatentGrid::arm_tensors() {
  return {{"arm0.weight", arm0_->weight}, {"arm0.bias", arm0_->bias},
          {"arm1.weight", arm1_->weight}, {"arm1.bias", arm1_->bias},
          {"arm2.weight", arm2_->weight}, {"arm2.bias", arm2_->bias}};
}

double LatentGrid::synthesis_macs_per_pixel() const {
  // Per chroma-resolution position (four luma pixels in 4:2:0, one pixel in 4:4:4):
  // upsampling (8 taps per level that is not at the base resolution), the 1x1 layers and the
  // 3x3 refinement.
  double per = 0, in = double(cfg_.levels.size());
  for (const GridLevel& l : cfg_.levels)
    if (l.space > 1 || l.time > 1) per += 8;
  for (size_t i = 0; i <= cfg_.synthesis.size(); ++i) {
    double out = i < cfg_.synthesis.size() ? cfg_.synthesis[i] : out_channels();
    per += in * out;
    in = out;
  }
  per += double(cfg_.refine) * out_channels() * out_channels() * 9;
  return cfg_.full_chroma ? per : per / 4;
}

double LatentGrid::arm_macs_per_latent() const {
  double h = cfg_.arm_hidden;
  return kArmContext * h + h * h + 2 * h;
}

double LatentGrid::latents_per_pixel(int frames) const {
  double n = 0;
  for (const auto& s : latent_shapes(cfg_, w_, h_, frames)) n += double(s[0] * s[1] * s[2]);
  return n / (double(frames) * w_ * h_);
}

ArmInt::ArmInt(int hidden, std::vector<std::vector<int32_t>> q)
    : hidden_(hidden),
      b0_(std::move(q.at(1))),
      w1_(std::move(q.at(2))),
      b1_(std::move(q.at(3))),
      w2_(std::move(q.at(4))),
      b2_(std::move(q.at(5))) {
  const std::vector<int32_t>& w0 = q.at(0);
  w0t_.resize(w0.size());
  for (int j = 0; j < hidden_; ++j)
    for (int i = 0; i < kArmContext; ++i)
      w0t_[size_t(i) * hidden_ + j] = w0[size_t(j) * kArmContext + i];
  int64_t zeros[kArmContext] = {};
  run(zeros, zero_mu16_, zero_level_);
}

void ArmInt::predict(const int32_t* g, int H, int W, int t, int y, int x, int32_t& mu16, int& level,
                     const int32_t* before) const {
  int64_t in[kArmContext];
  bool any = false;
  // The offsets reach one frame back at most; the frame ahead of frame 0 is `before` or zeros.
  const int32_t* prev = t > 0 ? g + int64_t(t - 1) * H * W : before;
  const int32_t* cur = g + int64_t(t) * H * W;
  if (y >= 2 && x >= 2 && x + 2 < W) {  // interior: no bounds to check within the frame
    for (int i = 0; i < kArmSpatial; ++i)
      any |= (in[i] = cur[int64_t(y + kArmOffsets[i].y) * W + x + kArmOffsets[i].x]) != 0;
  } else {
    for (int i = 0; i < kArmSpatial; ++i) {
      int yy = y + kArmOffsets[i].y, xx = x + kArmOffsets[i].x;
      bool inside = yy >= 0 && xx >= 0 && xx < W;  // spatial offsets never reach below
      any |= (in[i] = inside ? cur[int64_t(yy) * W + xx] : 0) != 0;
    }
  }
  for (int i = kArmSpatial; i < kArmContext; ++i) {
    int yy = y + kArmOffsets[i].y, xx = x + kArmOffsets[i].x;
    bool inside = prev && yy >= 0 && yy < H && xx >= 0 && xx < W;
    any |= (in[i] = inside ? prev[int64_t(yy) * W + xx] : 0) != 0;
  }
  // Most latents of the finer levels sit in all-zero neighbourhoods: one answer for them all.
  if (!any) {
    mu16 = zero_mu16_;
    level = zero_level_;
    return;
  }
  run(in, mu16, level);
}

void ArmInt::run(const int64_t* in, int32_t& mu16, int& level) const {
  constexpr int64_t kSat = int64_t(1) << 24;  // hidden values saturate here
  int64_t h0[64], h1[64];
  for (int j = 0; j < hidden_; ++j) h0[j] = b0_[j];  // Q0 inputs times Q8 weights: Q8
  for (int i = 0; i < kArmContext; ++i) {            // input-major: zero inputs are skipped whole
    if (in[i] == 0) continue;
    const int32_t* w = &w0t_[size_t(i) * hidden_];
    for (int j = 0; j < hidden_; ++j) h0[j] += int64_t(w[j]) * in[i];
  }
  for (int j = 0; j < hidden_; ++j) h0[j] = std::min(std::max<int64_t>(h0[j], 0), kSat);
  for (int j = 0; j < hidden_; ++j) {
    int64_t acc = int64_t(b1_[j]) * 256;  // Q16
    const int32_t* w = &w1_[size_t(j) * hidden_];
    for (int i = 0; i < hidden_; ++i) acc += int64_t(w[i]) * h0[i];
    h1[j] = std::min((std::max<int64_t>(acc, 0) + 128) >> 8, kSat);  // rounded
  }
  int64_t out[2];
  for (int j = 0; j < 2; ++j) {
    int64_t acc = int64_t(b2_[j]) * 256;
    const int32_t* w = &w2_[size_t(j) * hidden_];
    for (int i = 0; i < hidden_; ++i) acc += int64_t(w[i]) * h1[i];
    out[j] = acc;
  }
  constexpr int64_t kMaxMu16 = int64_t(1) << 24;
  mu16 = int32_t(std::min(std::max((out[0] + 2048) >> 12, -kMaxMu16), kMaxMu16));  // rounded
  int64_t k = (out[1] + 4 * 65536 + 4096) >> 13;
  level = int(std::min<int64_t>(std::max<int64_t>(k, 0), 95));
}

}  // namespace nerv
