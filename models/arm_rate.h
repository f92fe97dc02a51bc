// The latents' rate under the float context model, fused for the CPU: one pass per latent
// gathers its 21 causal neighbours, runs the ARM, takes the Laplace bin's bits and, in the same
// pass, the gradients of those bits with respect to the latents and to every ARM weight. The
// same function written as tensor operations (LatentGrid::rate_bits on other devices) builds
// a [n, 21] context matrix and some twenty n-sized temporaries per step; this does neither.
#pragma once
#include <torch/torch.h>

namespace nerv {

// Total bits of `latent` [T, H, W] (float, CPU) under the ARM with weights w0 [h, 21], b0 [h],
// w1 [h, h], b1 [h], w2 [2, h], b2 [2]; differentiable in all seven inputs. The first `skip`
// latents (in raster order) are context only: not counted.
torch::Tensor arm_rate_bits_cpu(const torch::Tensor& latent, const torch::Tensor& w0,
                                const torch::Tensor& b0, const torch::Tensor& w1,
                                const torch::Tensor& b1, const torch::Tensor& w2,
                                const torch::Tensor& b2, int64_t skip = 0);

}  // namespace nerv
