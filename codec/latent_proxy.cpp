#include "codec/latent_proxy.h"

#include <algorithm>
#include <cmath>

namespace nerv {

torch::Tensor soft_round(const torch::Tensor& x, double T) {
  torch::Tensor f = torch::floor(x).detach();
  return f + 0.5 + torch::tanh((x - f - 0.5) / T) / (2 * std::tanh(0.5 / T));
}

torch::Tensor proxy_round(const torch::Tensor& x, Proxy proxy, double progress,
                          at::Generator& gen) {
  if (proxy == Proxy::Uniform) return x + (torch::rand(x.sizes(), gen).to(x.device()) - 0.5);
  double a = std::clamp(progress, 0.0, 1.0);
  double T = 0.35 + (0.08 - 0.35) * a, sigma = 0.22 + (0.15 - 0.22) * a;
  torch::Tensor noise = torch::randn(x.sizes(), gen).to(x.device()) * sigma;
  return soft_round(soft_round(x, T) + noise, T);
}

}  // namespace nerv
