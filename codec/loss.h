// Training losses, matched to how nervc is scored: MSE of the 4:2:0 planes weighted 6:1:1
// (the YUV-PSNR convention), optionally mixed with 1 - MS-SSIM of luma.
#pragma once
#include <torch/torch.h>

namespace nerv {

// (6 * MSE_Y + MSE_U + MSE_V) / 8. y: [N,1,H,W], uv: [N,2,Hc,Wc].
torch::Tensor mse_611(const torch::Tensor& y_hat, const torch::Tensor& uv_hat,
                      const torch::Tensor& y, const torch::Tensor& uv);

// Differentiable MS-SSIM of luma in [0, 1] (same definition as io/msssim.cpp); single-scale
// SSIM when the short side is 160 pixels or less.
torch::Tensor msssim_loss(const torch::Tensor& y_hat, const torch::Tensor& y);

}  // namespace nerv
