#include "codec/flat_adam.h"

#include <cmath>

namespace nerv {

FlatParams::FlatParams(const std::vector<torch::Tensor>& params) {
  offsets_.push_back(0);
  for (const torch::Tensor& p : params) offsets_.push_back(offsets_.back() + p.numel());
  torch::TensorOptions o = params.at(0).options();
  data_ = torch::empty({offsets_.back()}, o);
  grad_ = torch::zeros({offsets_.back()}, o);
  torch::NoGradGuard ng;
  for (size_t i = 0; i < params.size(); ++i) {
    torch::Tensor p = params[i];
    int64_t off = offsets_[i], n = p.numel();
    torch::Tensor view = data_.narrow(0, off, n).view(p.sizes());
    view.copy_(p);
    p.set_data(view);
    // Autograd accumulates into a gradient that already exists, in place: the flat buffer.
    p.mutable_grad() = grad_.narrow(0, off, n).view(p.sizes());
  }
}

torch::Tensor adam_schedule(const std::vector<double>& lr, const AdamHyper& h) {
  torch::Tensor s = torch::empty({int64_t(lr.size()), 2}, torch::kFloat);
  auto a = s.accessor<float, 2>();
  for (size_t t = 0; t < lr.size(); ++t) {
    double k = double(t + 1);
    a[int64_t(t)][0] = float(lr[t] / (1 - std::pow(h.beta1, k)));
    a[int64_t(t)][1] = float(std::sqrt(1 - std::pow(h.beta2, k)));
  }
  return s;
}

FlatAdam::FlatAdam(torch::Tensor param, torch::Tensor grad, AdamHyper h)
    : param_(std::move(param)),
      grad_(std::move(grad)),
      m_(torch::zeros_like(param_)),
      v_(torch::zeros_like(param_)),
      h_(h) {}

void FlatAdam::step(const torch::Tensor& row) {
  torch::NoGradGuard ng;
  m_.mul_(h_.beta1).add_(grad_, 1 - h_.beta1);
  v_.mul_(h_.beta2).addcmul_(grad_, grad_, 1 - h_.beta2);
  torch::Tensor denom = v_.sqrt().div_(row[1]).add_(h_.eps);
  param_.sub_(m_.div(denom).mul_(row[0]));
}

}  // namespace nerv
