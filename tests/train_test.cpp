// The fitter's optimiser: parameters moved into one flat buffer stay the model's parameters,
// gradients accumulate into the flat gradient, and the flat Adam (device-side step sizes)
// takes the same steps as libtorch's Adam.
#include <gtest/gtest.h>

#include "codec/fitter.h"
#include "codec/flat_adam.h"

namespace nerv {
namespace {

std::vector<torch::Tensor> make_params() {
  torch::manual_seed(3);
  return {torch::randn({4, 3, 3, 3}).requires_grad_(), torch::randn({4}).requires_grad_(),
          torch::randn({2, 5}).requires_grad_()};
}

torch::Tensor loss_of(const std::vector<torch::Tensor>& p, const torch::Tensor& target) {
  torch::Tensor l = (p[0] * p[0]).sum() * 0.1 + (p[1] - 1).pow(2).sum();
  return l + (p[2].matmul(target) - 2).pow(2).sum();
}

TEST(FlatParams, ParametersBecomeViewsOfOneBuffer) {
  std::vector<torch::Tensor> p = make_params();
  std::vector<torch::Tensor> before;
  for (auto& t : p) before.push_back(t.detach().clone());
  FlatParams flat(p);
  ASSERT_EQ(flat.data().numel(), 108 + 4 + 10);
  EXPECT_EQ(flat.prefix_numel(2), 112);
  for (size_t i = 0; i < p.size(); ++i) EXPECT_TRUE(torch::equal(p[i], before[i]));
  flat.data().narrow(0, 108, 4).fill_(7);  // the buffer is the parameters' storage
  EXPECT_TRUE(torch::equal(p[1].detach(), torch::full({4}, 7.0f)));
  loss_of(p, torch::ones({5, 1})).backward();  // gradients land in the flat gradient
  EXPECT_TRUE(torch::allclose(flat.grad().narrow(0, 108, 4), torch::full({4}, 12.0f)));
  EXPECT_TRUE(torch::allclose(flat.grad().narrow(0, 0, 108), 0.2 * flat.data().narrow(0, 0, 108)));
}

TEST(FlatAdam, TakesTheStepsOfTorchAdam) {
  torch::Tensor target = torch::randn({5, 1});
  std::vector<torch::Tensor> a = make_params(), b = make_params();
  std::vector<double> lr;
  for (int t = 0; t < 30; ++t) lr.push_back(0.05 * (1 + std::cos(0.1 * t)));  // changing rate

  torch::optim::Adam reference(a, torch::optim::AdamOptions(1.0));
  FlatParams flat(b);
  FlatAdam ours(flat.data(), flat.grad());
  torch::Tensor rows = adam_schedule(lr, AdamHyper{});
  for (size_t t = 0; t < lr.size(); ++t) {
    for (auto& g : reference.param_groups())
      static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr[t]);
    reference.zero_grad();
    loss_of(a, target).backward();
    reference.step();

    flat.grad().zero_();
    loss_of(b, target).backward();
    ours.step(rows[int64_t(t)]);
  }
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_FALSE(torch::equal(a[i], make_params()[i])) << "the parameters must have moved";
    EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-5, 1e-6)) << "tensor " << i;
  }
}

// The temporal penalty's gradient, added directly, is autograd's of the penalty itself.
TEST(TemporalPenalty, GradientIsThatOfTheMeanStepChange) {
  torch::manual_seed(5);
  torch::Tensor anchor = torch::randn({500});
  torch::Tensor w = anchor.clone();
  w.narrow(0, 0, 400).add_(torch::randn({400}));  // the last 100 unchanged: sign(0) = 0
  torch::Tensor step = torch::rand({500}) + 0.1;
  const double l1 = 0.3;
  torch::Tensor v = w.clone().requires_grad_();
  (l1 * ((v - anchor).abs() / step).mean()).backward();
  torch::Tensor base = torch::randn({500}) * 1e-3, grad = base.clone();  // added to what is there
  add_temporal_penalty_grad(grad, w, anchor, temporal_penalty_scale(step, l1));
  EXPECT_TRUE(torch::allclose(grad, base + v.grad(), 1e-5, 1e-9));
  EXPECT_GT(v.grad().abs().sum().item<double>(), 0);
}

}  // namespace
}  // namespace nerv
