#include "codec/loss.h"

#include <cmath>

namespace nerv {
namespace {

// Made where the images are, by device ops only (no host tensor: CUDA graphs can record it).
torch::Tensor gaussian_window(const torch::TensorOptions& o) {
  torch::Tensor x = torch::arange(11, o) - 5;
  torch::Tensor g = torch::exp(-x * x / (2 * 1.5 * 1.5));
  g = g / g.sum();
  return torch::outer(g, g).view({1, 1, 11, 11});
}

// Mean SSIM and mean contrast-structure over valid 11x11 windows (data range 1).
void ssim_cs(const torch::Tensor& a, const torch::Tensor& b, torch::Tensor& ssim,
             torch::Tensor& cs) {
  const torch::Tensor win = gaussian_window(a.options());
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  auto f = [&](const torch::Tensor& t) { return torch::conv2d(t, win); };
  torch::Tensor ma = f(a), mb = f(b);
  torch::Tensor va = f(a * a) - ma * ma, vb = f(b * b) - mb * mb, cov = f(a * b) - ma * mb;
  torch::Tensor cs_map = (2 * cov + c2) / (va + vb + c2);
  cs = cs_map.mean();
  ssim = ((2 * ma * mb + c1) / (ma * ma + mb * mb + c1) * cs_map).mean();
}

}  // namespace

torch::Tensor mse_611(const torch::Tensor& y_hat, const torch::Tensor& uv_hat,
                      const torch::Tensor& y, const torch::Tensor& uv) {
  torch::Tensor my = torch::mse_loss(y_hat, y);
  torch::Tensor d = (uv_hat - uv).pow(2);
  torch::Tensor mu = d.narrow(1, 0, 1).mean(), mv = d.narrow(1, 1, 1).mean();
  return (6 * my + mu + mv) / 8;
}

torch::Tensor msssim_loss(const torch::Tensor& y_hat, const torch::Tensor& y) {
  static const double weights[5] = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
  torch::Tensor ssim, cs;
  if (std::min(y.size(2), y.size(3)) <= 160) {
    ssim_cs(y_hat, y, ssim, cs);
    return 1 - ssim;
  }
  torch::Tensor a = y_hat, b = y, result = torch::ones({}, y.options());
  for (int s = 0; s < 5; ++s) {
    ssim_cs(a, b, ssim, cs);
    result = result * (s < 4 ? cs : ssim).clamp_min(1e-6).pow(weights[s]);
    if (s < 4) {
      a = torch::avg_pool2d(a, 2);
      b = torch::avg_pool2d(b, 2);
    }
  }
  return 1 - result;
}

}  // namespace nerv
