// Training losses, matched to how nervc is scored: MSE of the 4:2:0 planes weighted 6:1:1
// (the YUV-PSNR convention), optionally mixed with 1 - MS-SSIM of luma.
#pragma once
#include <torch/torch.h>

#include <cmath>

namespace nerv {

// PSNR of a mean squared error on the [0, 1] scale (99 dB for 0), for progress lines.
inline double psnr_of_mse(double mse) {
  return mse > 0 ? 10 * std::log10(1.0 / mse) : 99.0;
}

// (6 * MSE_Y + MSE_U + MSE_V) / 8. y: [N,1,H,W], uv: [N,2,Hc,Wc].
torch::Tensor mse_611(const torch::Tensor& y_hat, const torch::Tensor& uv_hat,
                      const torch::Tensor& y, const torch::Tensor& uv);

// Differentiable MS-SSIM of luma in [0, 1] (same definition as io/msssim.cpp); single-scale
// SSIM when the short side is 160 pixels or less.
torch::Tensor msssim_loss(const torch::Tensor& y_hat, const torch::Tensor& y);

}  // namespace nerv
