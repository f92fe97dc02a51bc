// What stands in for rounding the latents while they train: a differentiable, noisy version of
// round() whose sharpness follows the training's progress.
#pragma once
#include <torch/torch.h>

#include "codec/config.h"

namespace nerv {

// Soft rounding (Agustsson & Theis, "Universally quantized neural compression"): the identity
// as T grows, round() as T goes to 0, differentiable everywhere.
torch::Tensor soft_round(const torch::Tensor& x, double T);

// The latents `x` as the synthesis and the rate see them at `progress` (0 to 1) of the noisy
// phase. SoftRound: soft_round(soft_round(x, T) + N(0, s^2), T) with T 0.35 -> 0.08 and
// s 0.22 -> 0.15 (Cool-chic 4's annealing); Uniform: x + U(-0.5, 0.5). Noise from `gen` on the
// CPU, so a seed gives the same noise on every device.
torch::Tensor proxy_round(const torch::Tensor& x, Proxy proxy, double progress, at::Generator& gen);

}  // namespace nerv
