// Latent-grid family (after Cool-chic and C3): a segment's content lives in a pyramid of
// one-channel latent grids over (t, y, x); each level is upsampled to the chroma resolution,
// and a tiny synthesis network turns the stacked levels into the planes directly: for 4:2:0,
// four luma samples (by pixel shuffle) and two chroma samples per position; for 4:4:4 (RGB
// still images), the three samples of each pixel. The latents are coded with a
// context model (ARM): an MLP over causal neighbours predicting a Laplace mean and log2 scale.
// Training runs the ARM in float; coding and decoding run it in integers (ArmInt), so every
// machine derives the same probabilities.
#pragma once
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "models/model.h"

namespace nerv {

struct GridLevel {
  int space = 1;  // spatial division of the chroma-resolution grid (a power of two)
  int time = 1;   // temporal division: one latent frame per `time` frames
};

struct LatentGridConfig {
  std::vector<GridLevel> levels;
  std::vector<int> synthesis;  // hidden widths of the 1x1 layers (ReLU after each)
  int refine = 2;              // 3x3 residual convolutions on the six output channels
  int arm_hidden = 8;          // width of the ARM's two hidden layers
  // In a residual segment the first latent frame of each level has the previous segment's last
  // latent frame of that level as its previous frame (context only): still content carries over.
  bool chain_context = false;
  // Not JSON keys: the stream's pixel format. 4:4:4 puts the grids' base at full resolution
  // and has the synthesis output three samples per position; grey, one.
  bool full_chroma = false;
  bool grey = false;  // with full_chroma
};

LatentGridConfig parse_latent_grid_config(const nlohmann::json& cfg);

// Causal context of a latent at (t, y, x): 12 neighbours of the same latent frame (two rows
// above at x-2..x+2, then x-2 and x-1 of the current row) and the 3x3 block around (y, x) in
// the previous latent frame of the level; zero outside the grid.
constexpr int kArmContext = 21;
constexpr int kArmSpatial = 12;  // the first 12 offsets lie in the same frame
struct Offset3 {
  int t, y, x;
};
extern const std::array<Offset3, kArmContext> kArmOffsets;

// Shapes of one segment's latent grids: [frames, height, width] per level.
std::vector<std::array<int64_t, 3>> latent_shapes(const LatentGridConfig& c, int width, int height,
                                                  int frames);

// Scale range of the latent coder (laplace_coder.h): log2 of the scale in [-4, 7.875].
constexpr double kMinLog2Scale = -4.0, kMaxLog2Scale = 7.875;

class LatentGrid final : public torch::nn::Module {
 public:
  LatentGrid(const LatentGridConfig& cfg, int width, int height);

  const LatentGridConfig& config() const { return cfg_; }
  int width() const { return w_; }
  int height() const { return h_; }

  // Samples the synthesis outputs per position: 6 (4:2:0), 3 (RGB) or 1 (grey).
  int out_channels() const { return cfg_.grey ? 1 : cfg_.full_chroma ? 3 : 6; }
  // latents: per level [T_l, H_l, W_l]; returns the first plane [T, 1, H, W] (luma, R or grey)
  // and the others [T, 2, Hc, Wc] (chroma, or G and B at full resolution; none for grey).
  void synthesize(const std::vector<torch::Tensor>& latents, int frames, torch::Tensor& y,
                  torch::Tensor& uv);
  // The two halves of synthesize(): every level upsampled to the chroma resolution and stacked,
  // [T, levels, Hc, Wc]; then the synthesis network over any range of those frames.
  torch::Tensor upsample(const std::vector<torch::Tensor>& latents, int frames) const;
  // upsample() level by level (a decoder overlaps it with entropy decoding): one level to
  // [T, Hc, Wc]; then the levels stacked.
  torch::Tensor upsample_level(const torch::Tensor& latent, int frames) const;
  static torch::Tensor stack_levels(const std::vector<torch::Tensor>& upsampled);
  void render(const torch::Tensor& stacked, torch::Tensor& y, torch::Tensor& uv);
  // Context of every latent of a level: [T_l * H_l * W_l, kArmContext].
  static torch::Tensor contexts(const torch::Tensor& latent);
  // ARM over contexts: mean and log2 scale, each [n].
  void arm(const torch::Tensor& ctx, torch::Tensor& mu, torch::Tensor& log2_scale);
  // Bits of the latents under the ARM's Laplace (bins of width 1 around each value, at most 16
  // bits each): fused on the CPU (arm_rate.h), tensor operations elsewhere (rate_bits_ops).
  // `before` (empty, or one per level: [1, H_l, W_l] or undefined) is the frame ahead of each
  // level's first: context, not counted.
  torch::Tensor rate_bits(const std::vector<torch::Tensor>& latents,
                          const std::vector<torch::Tensor>& before = {});
  torch::Tensor rate_bits_ops(const std::vector<torch::Tensor>& latents,
                              const std::vector<torch::Tensor>& before = {});

  // The transmitted tensors, in bitstream order, split by module.
  NamedTensors synthesis_tensors();
  NamedTensors arm_tensors();

  double synthesis_macs_per_pixel() const;
  double arm_macs_per_latent() const;
  double latents_per_pixel(int frames) const;

 private:
  LatentGridConfig cfg_;
  int w_, h_;
  std::vector<torch::nn::Conv2d> syn_;     // 1x1 layers, the last one to six channels
  std::vector<torch::nn::Conv2d> refine_;  // 3x3, residual
  torch::nn::Linear arm0_{nullptr}, arm1_{nullptr}, arm2_{nullptr};
};

// The ARM in integer arithmetic. Weights are integers in units of 2^-8 (Q8); inputs are the
// integer latents. Layer: acc = sum(w * x) + (b << s_in) in int64, where x is in Q0 for the
// first layer and Q8 after; the hidden value is max(acc, 0), rounded back to Q8 where the input
// was Q8. Output (Q16): mean in 1/16 units = round(out0 / 2^12), and the scale level
// k = clamp((out1 + 4 * 2^16 + 2^12) >> 13, 0, 95) (log2 scale in steps of 1/8). Rounding,
// not flooring: a floored mean costs some 5 % more bits than the float model estimates.
class ArmInt {
 public:
  ArmInt() = default;
  // Q8 integers in the order of LatentGrid::arm_tensors(): w0 [h, 21], b0 [h], w1 [h, h], b1,
  // w2 [2, h], b2 [2].
  ArmInt(int hidden, std::vector<std::vector<int32_t>> q8);
  // Mean (1/16 units) and scale level of the latent at (t, y, x) of `grid` [T, H, W], whose
  // latents before it in raster order (frames, rows, columns) are known. `before` (H * W, or
  // null for zeros) is the frame ahead of frame 0 (chain_context).
  void predict(const int32_t* grid, int H, int W, int t, int y, int x, int32_t& mu16, int& level,
               const int32_t* before = nullptr) const;

 private:
  void run(const int64_t* in, int32_t& mu16, int& level) const;

  int hidden_ = 0;
  std::vector<int32_t> w0t_;  // w0 transposed, input-major: [21, h]
  std::vector<int32_t> b0_, w1_, b1_, w2_, b2_;
  int32_t zero_mu16_ = 0;  // the prediction for an all-zero context
  int zero_level_ = 0;
};

}  // namespace nerv
