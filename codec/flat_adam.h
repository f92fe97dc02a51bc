// Adam over parameters that live in one flat buffer, with their gradients in another, and with
// the per-step scalars (step size, bias correction) read from device tensors. An update is a
// handful of element-wise kernels whatever the number of tensors, and needs no value from the
// host: the whole training step can be recorded once in a CUDA graph and replayed.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace nerv {

// Moves the data of `params` into one contiguous buffer and makes each parameter (and its
// gradient) a view of it, in the order given: a prefix of the list is a prefix of the buffer.
class FlatParams {
 public:
  explicit FlatParams(const std::vector<torch::Tensor>& params);
  const torch::Tensor& data() const { return data_; }
  const torch::Tensor& grad() const { return grad_; }
  // Elements of the first `count` parameters.
  int64_t prefix_numel(size_t count) const { return offsets_[count]; }

 private:
  torch::Tensor data_, grad_;
  std::vector<int64_t> offsets_;
};

struct AdamHyper {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // torch::optim::Adam's defaults
};

// Per-step scalars for `steps` updates with learning rates lr[t]: rows of
// {lr[t] / (1 - beta1^(t+1)), sqrt(1 - beta2^(t+1))}, float, computed in double on the host.
torch::Tensor adam_schedule(const std::vector<double>& lr, const AdamHyper& h);

class FlatAdam {
 public:
  // `param` and `grad` are flat views (e.g. FlatParams::data().narrow(...)).
  FlatAdam(torch::Tensor param, torch::Tensor grad, AdamHyper h = {});
  // One update; `row` is a row of adam_schedule() on the parameters' device.
  void step(const torch::Tensor& row);

 private:
  torch::Tensor param_, grad_, m_, v_;
  AdamHyper h_;
};

}  // namespace nerv
