#include "models/arm_rate.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/latent_grid.h"

namespace nerv {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr int kMaxHidden = 64;
constexpr double kMaxBits = 16;  // the bits of a bin are capped at 16 (the coder's least p)

// Laplace CDF around 0 with scale b, its density and its derivative in b.
inline double cdf(double x, double b) {
  return x < 0 ? 0.5 * std::exp(x / b) : 1 - 0.5 * std::exp(-x / b);
}
inline double pdf(double x, double b) {
  return std::exp(-std::abs(x) / b) / (2 * b);
}
inline double dcdf_db(double x, double b) {
  return -0.5 * x * std::exp(-std::abs(x) / b) / (b * b);
}

struct ArmRate : torch::autograd::Function<ArmRate> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor lat, torch::Tensor w0,
                               torch::Tensor b0, torch::Tensor w1, torch::Tensor b1,
                               torch::Tensor w2, torch::Tensor b2, int64_t skip) {
    lat = lat.contiguous();
    const int T = int(lat.size(0)), H = int(lat.size(1)), W = int(lat.size(2));
    const int h = int(w0.size(0));
    auto c = [](const torch::Tensor& t) { return t.detach().contiguous(); };
    torch::Tensor W0 = c(w0), B0 = c(b0), W1 = c(w1), B1 = c(b1), W2 = c(w2), B2 = c(b2);
    const float *pw0 = W0.data_ptr<float>(), *pb0 = B0.data_ptr<float>(),
                *pw1 = W1.data_ptr<float>(), *pb1 = B1.data_ptr<float>(),
                *pw2 = W2.data_ptr<float>(), *pb2 = B2.data_ptr<float>();
    const float* g = lat.data_ptr<float>();
    const int64_t n = lat.numel();
    const int threads = at::get_num_threads();
    // Per thread: bits, the latents' gradient (contexts reach other latents) and the weights'.
    const int64_t nw = int64_t(h) * kArmContext + h + int64_t(h) * h + h + 2 * h + 2;
    std::vector<double> bits(size_t(threads), 0.0);
    std::vector<std::vector<float>> glat(static_cast<size_t>(threads)), gw(glat.size());
    at::parallel_for(skip, n, 4096, [&](int64_t begin, int64_t end) {
      int tid = at::get_thread_num();
      std::vector<float>& gl = glat[size_t(tid)];
      std::vector<float>& gwt = gw[size_t(tid)];
      if (gl.empty()) gl.assign(size_t(n), 0.f);
      if (gwt.empty()) gwt.assign(size_t(nw), 0.f);
      float* gW0 = gwt.data();
      float* gB0 = gW0 + h * kArmContext;
      float* gW1 = gB0 + h;
      float* gB1 = gW1 + h * h;
      float* gW2 = gB1 + h;
      float* gB2 = gW2 + 2 * h;
      double acc = 0;
      float x[kArmContext];
      int64_t idx[kArmContext];
      float z0[kMaxHidden], a0[kMaxHidden], z1[kMaxHidden], a1[kMaxHidden], ga[kMaxHidden],
          gz[kMaxHidden];
      for (int64_t i = begin; i < end; ++i) {
        int t = int(i / (int64_t(H) * W)), y = int((i / W) % H), xx = int(i % W);
        for (int k = 0; k < kArmContext; ++k) {
          int tt = t + kArmOffsets[k].t, yy = y + kArmOffsets[k].y, xk = xx + kArmOffsets[k].x;
          bool in = tt >= 0 && yy >= 0 && yy < H && xk >= 0 && xk < W;
          idx[k] = in ? (int64_t(tt) * H + yy) * W + xk : -1;
          x[k] = in ? g[idx[k]] : 0.f;
        }
        for (int j = 0; j < h; ++j) {
          float s = pb0[j];
          for (int k = 0; k < kArmContext; ++k) s += pw0[j * kArmContext + k] * x[k];
          z0[j] = s;
          a0[j] = s > 0 ? s : 0;
        }
        for (int j = 0; j < h; ++j) {
          float s = pb1[j];
          for (int k = 0; k < h; ++k) s += pw1[j * h + k] * a0[k];
          z1[j] = s;
          a1[j] = s > 0 ? s : 0;
        }
        float o[2];
        for (int j = 0; j < 2; ++j) {
          float s = pb2[j];
          for (int k = 0; k < h; ++k) s += pw2[j * h + k] * a1[k];
          o[j] = s;
        }
        // Beyond the 16-bit cap a latent costs about the same wherever it is (the coder
        // escapes), so it gets no rate gradient; but the scale does, and the scale clamp acts
        // on the value only: without them a context model that predicts too small a scale
        // traps the latents it mispredicts at 16 bits for good.
        // The coder sees the mean in 1/16 and the log2 scale in 1/8 steps (straight through),
        // ties rounded up as the integer model does: the all-zero context often makes one.
        double ls = std::floor(8.0 * o[1] + 0.5) / 8, mu = std::floor(16.0 * o[0] + 0.5) / 16;
        double b = std::exp2(std::clamp(ls, kMinLog2Scale, kMaxLog2Scale));
        double d = double(g[i]) - mu, a = std::abs(d);
        double gd, gls;
        if (a >= 0.5) {  // tail bin, in the log domain: p = e^(-(a - 1/2) / b) (1 - e^(-1/b)) / 2
          double bits = (M_LN2 + (a - 0.5) / b - std::log1p(-std::exp(-1 / b))) / M_LN2;
          acc += std::min(bits, kMaxBits);
          gd = bits < kMaxBits ? (d > 0 ? 1 : -1) / (b * M_LN2) : 0.0;
          gls = (-(a - 0.5) / (b * b) + 1 / (b * b * std::expm1(1 / b))) * b;
        } else {
          double p = cdf(d + 0.5, b) - cdf(d - 0.5, b);
          acc += std::min(-std::log2(p), kMaxBits);
          double gp = -1.0 / (p * M_LN2);
          gd = gp * (pdf(d + 0.5, b) - pdf(d - 0.5, b));
          gls = gp * (dcdf_db(d + 0.5, b) - dcdf_db(d - 0.5, b)) * b * M_LN2;
        }
        gl[size_t(i)] += float(gd);
        float go[2] = {float(-gd), float(gls)};
        for (int j = 0; j < 2; ++j) {
          gB2[j] += go[j];
          for (int k = 0; k < h; ++k) gW2[j * h + k] += go[j] * a1[k];
        }
        for (int k = 0; k < h; ++k) {
          float s = go[0] * pw2[k] + go[1] * pw2[h + k];
          gz[k] = z1[k] > 0 ? s : 0;
        }
        for (int j = 0; j < h; ++j) {
          gB1[j] += gz[j];
          for (int k = 0; k < h; ++k) gW1[j * h + k] += gz[j] * a0[k];
        }
        for (int k = 0; k < h; ++k) {
          float s = 0;
          for (int j = 0; j < h; ++j) s += gz[j] * pw1[j * h + k];
          ga[k] = z0[k] > 0 ? s : 0;
        }
        for (int j = 0; j < h; ++j) {
          gB0[j] += ga[j];
          for (int k = 0; k < kArmContext; ++k) gW0[j * kArmContext + k] += ga[j] * x[k];
        }
        for (int k = 0; k < kArmContext; ++k) {
          if (idx[k] < 0) continue;
          float s = 0;
          for (int j = 0; j < h; ++j) s += ga[j] * pw0[j * kArmContext + k];
          gl[size_t(idx[k])] += s;
        }
      }
      bits[size_t(tid)] += acc;
    });
    torch::Tensor glat_t = torch::zeros_like(lat), gw_t = torch::zeros({nw}, torch::kFloat);
    float* pl = glat_t.data_ptr<float>();
    float* pw = gw_t.data_ptr<float>();
    double total = 0;
    for (int t = 0; t < threads; ++t) {
      total += bits[size_t(t)];
      if (!glat[size_t(t)].empty())
        for (int64_t i = 0; i < n; ++i) pl[i] += glat[size_t(t)][size_t(i)];
      if (!gw[size_t(t)].empty())
        for (int64_t i = 0; i < nw; ++i) pw[i] += gw[size_t(t)][size_t(i)];
    }
    std::vector<int64_t> sizes = {int64_t(h) * kArmContext, h, int64_t(h) * h, h, 2 * h, 2};
    std::vector<torch::Tensor> parts = gw_t.split_with_sizes(sizes);
    ctx->save_for_backward({glat_t, parts[0].view({h, kArmContext}), parts[1],
                            parts[2].view({h, h}), parts[3], parts[4].view({2, h}), parts[5]});
    return torch::tensor(total, torch::kFloat);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    variable_list s = ctx->get_saved_variables();
    torch::Tensor g = grad[0];
    variable_list out;
    for (auto& t : s) out.push_back(t * g);
    out.push_back(torch::Tensor());  // skip
    return out;
  }
};

}  // namespace

torch::Tensor arm_rate_bits_cpu(const torch::Tensor& latent, const torch::Tensor& w0,
                                const torch::Tensor& b0, const torch::Tensor& w1,
                                const torch::Tensor& b1, const torch::Tensor& w2,
                                const torch::Tensor& b2, int64_t skip) {
  TORCH_CHECK(w0.size(0) <= kMaxHidden, "ARM wider than ", kMaxHidden);
  TORCH_CHECK(skip >= 0 && skip <= latent.numel(), "skip out of range");
  return ArmRate::apply(latent.to(torch::kFloat), w0, b0, w1, b1, w2, b2, skip);
}

}  // namespace nerv
