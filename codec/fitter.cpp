#include "codec/fitter.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "codec/loss.h"
#include "io/error.h"
#include "models/runtime.h"

namespace nerv {
namespace {

double psnr_of_mse(double mse) {
  return mse > 0 ? 10 * std::log10(1.0 / mse) : 99.0;
}

// Warm-up then cosine decay, as a multiplier of the base learning rate.
double lr_factor(int64_t step, int64_t total, double warmup) {
  int64_t warm = int64_t(std::llround(warmup * double(total)));
  if (step < warm) return double(step + 1) / double(warm);
  double t = double(step - warm) / double(std::max<int64_t>(1, total - warm));
  return 0.5 * (1 + std::cos(M_PI * t));
}

void set_lr(torch::optim::Adam& opt, double lr) {
  for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
}

torch::Tensor step_tensor(const WeightGrid& g, const torch::Tensor& w) {
  torch::Tensor s = torch::tensor(g.step, torch::kFloat).to(w.device());
  std::vector<int64_t> shape(size_t(w.dim()), 1);
  if (w.dim() >= 2) shape[0] = w.size(0);
  return s.view(shape);
}

// Per-output-channel fake quantisation on the fixed grid.
torch::Tensor fake_quant(const torch::Tensor& w, const torch::Tensor& step) {
  return (w / step).round().clamp(-kMaxSymbol, kMaxSymbol) * step;
}

// Shuffled mini-batches of frame indices, one epoch.
std::vector<torch::Tensor> batches(int64_t n, int batch, at::Generator& gen) {
  torch::Tensor perm = torch::randperm(n, gen, torch::kLong);
  std::vector<torch::Tensor> out;
  for (int64_t s = 0; s < n; s += batch)
    out.push_back(perm.narrow(0, s, std::min<int64_t>(batch, n - s)));
  return out;
}

// The training loss; `mse_out` (detached, on the device) feeds the progress PSNR without a host
// synchronisation per step.
torch::Tensor loss_of(const torch::Tensor& out, const SegmentTensors& d, const torch::Tensor& idx,
                      double msssim_weight, torch::Tensor& mse_out) {
  torch::Tensor y_hat, uv_hat;
  split_output(out, int(d.y.size(3)), int(d.y.size(2)), y_hat, uv_hat);
  torch::Tensor y = d.y.index_select(0, idx), uv = d.uv.index_select(0, idx);
  torch::Tensor mse = mse_611(y_hat.to(torch::kFloat), uv_hat.to(torch::kFloat), y, uv);
  mse_out = mse.detach();
  if (msssim_weight <= 0) return mse;
  return (1 - msssim_weight) * mse + msssim_weight * msssim_loss(y_hat.to(torch::kFloat), y);
}

// Sum over tensors of the mean change, in quantisation steps, from the previous weights.
torch::Tensor temporal_penalty(const std::vector<torch::Tensor>& params,
                               const std::vector<torch::Tensor>& anchors,
                               const std::vector<torch::Tensor>& steps) {
  torch::Tensor sum = torch::zeros({}, params[0].options());
  int64_t n = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    sum = sum + ((params[i] - anchors[i]).abs() / steps[i]).sum();
    n += params[i].numel();
  }
  return sum / double(n);
}

// bf16 autocast for the scope of the fit on a GPU; off again however the scope is left.
struct AutocastScope {
  explicit AutocastScope(bool on) { set_cuda_autocast(on); }
  ~AutocastScope() { set_cuda_autocast(false); }
};

}  // namespace

std::vector<TensorShape> coded_shapes(InrModel& model) {
  std::vector<TensorShape> out;
  for (auto& [name, t] : model.coded_tensors()) out.push_back({name, t.sizes().vec()});
  return out;
}

SegmentPayload fit_segment(InrModel& model, const SegmentTensors& d, const CodecConfig& cfg,
                           SegmentType type, bool first, const WeightState* prev, uint64_t seed,
                           const std::function<void(const FitProgress&)>& progress) {
  const TrainConfig& tc = cfg.train;
  const int64_t n = d.input.size(0);
  const torch::Device dev = d.input.device();
  at::Generator gen = at::detail::createCPUGenerator(seed);
  NamedTensors coded = model.coded_tensors();
  std::vector<torch::Tensor> dec_params;
  for (auto& [name, t] : coded) dec_params.push_back(t);
  bool residual = type == SegmentType::Residual;
  if (residual && (!prev || prev->q.size() != coded.size()))
    throw Error("residual segment without a previous segment");

  // Anchors and steps for the temporal penalty (residual segments only).
  std::vector<torch::Tensor> anchors, prev_steps;
  if (residual)
    for (size_t i = 0; i < coded.size(); ++i) {
      anchors.push_back(dec_params[i].detach().clone());
      prev_steps.push_back(step_tensor(prev->grids[i], dec_params[i]));
    }

  // 1. Fit decoder and frame encoder end to end.
  model.train();
  std::vector<torch::Tensor> all_params = dec_params;
  for (auto& p : model.encoder_parameters()) all_params.push_back(p);
  int epochs = first ? tc.epochs : tc.warm_epochs;
  torch::optim::Adam opt(all_params, torch::optim::AdamOptions(tc.lr));
  int64_t steps_per_epoch = (n + tc.batch_size - 1) / tc.batch_size;
  int64_t total = int64_t(epochs) * steps_per_epoch, step = 0;
  {
    AutocastScope autocast(dev.is_cuda());  // bf16 forward passes on a GPU; off for what follows
    for (int e = 0; e < epochs; ++e) {
      torch::Tensor mse_sum = torch::zeros({}, d.y.options());
      for (const torch::Tensor& cpu_idx : batches(n, tc.batch_size, gen)) {
        torch::Tensor idx = cpu_idx.to(dev);
        set_lr(opt, tc.lr * lr_factor(step++, total, tc.warmup));
        torch::Tensor x = d.input.index_select(0, idx);
        torch::Tensor mse;
        torch::Tensor loss =
            loss_of(model.decode(model.embed(x, idx)), d, idx, tc.msssim_weight, mse);
        if (residual && tc.temporal_l1 > 0)
          loss = loss + tc.temporal_l1 * temporal_penalty(dec_params, anchors, prev_steps);
        opt.zero_grad();
        loss.backward();
        opt.step();
        mse_sum += mse * double(idx.size(0));
      }
      if (progress)
        progress({"fit", e + 1, epochs, psnr_of_mse(mse_sum.item<double>() / double(n))});
    }
  }

  // 2. Embeddings: computed once, quantised, and fixed from here on.
  model.eval();
  SegmentPayload p;
  std::vector<int64_t> eshape = model.embedding_shape();
  torch::Tensor emb_hat;
  if (!eshape.empty()) {
    torch::Tensor emb;
    {
      torch::NoGradGuard ng;
      emb = model.embed(d.input, torch::arange(n, torch::TensorOptions(dev).dtype(torch::kLong)))
                .to(torch::kCPU, torch::kFloat)
                .contiguous();
    }
    size_t channels = size_t(eshape[0]), inner = size_t(emb[0][0].numel());
    const float* ep = emb.data_ptr<float>();
    p.embed_grid = make_affine_grid(ep, size_t(n), channels, inner, cfg.quant.embed_bits);
    p.embed_symbols.resize(size_t(emb.numel()));
    quantize_affine(ep, size_t(n), inner, p.embed_grid, cfg.quant.embed_bits,
                    p.embed_symbols.data());
    emb_hat = torch::empty_like(emb);
    dequantize_affine(p.embed_symbols.data(), size_t(n), inner, p.embed_grid, cfg.quant.embed_bits,
                      emb_hat.data_ptr<float>());
    emb_hat = emb_hat.to(dev);
  }

  // 3. Weight grids: new for an intra segment, inherited for a residual one.
  std::vector<WeightGrid> grids;
  std::vector<torch::Tensor> steps;
  for (size_t i = 0; i < coded.size(); ++i) {
    if (residual) {
      grids.push_back(prev->grids[i]);
    } else {
      torch::Tensor w = dec_params[i].detach().to(torch::kCPU).contiguous();
      grids.push_back(make_weight_grid(w.data_ptr<float>(), size_t(w.numel()),
                                       TensorShape{"", w.sizes().vec()}.channels(),
                                       cfg.quant.weight_bits));
    }
    steps.push_back(step_tensor(grids.back(), dec_params[i]));
  }

  // 4. Quantisation-aware fine-tune of the decoder (straight-through: the forward pass sees
  //    quantised weights, the update applies to the float weights).
  model.train();
  torch::optim::Adam qopt(dec_params, torch::optim::AdamOptions(tc.qat_lr));
  total = int64_t(tc.qat_epochs) * steps_per_epoch;
  step = 0;
  for (int e = 0; e < tc.qat_epochs; ++e) {
    torch::Tensor mse_sum = torch::zeros({}, d.y.options());
    for (const torch::Tensor& cpu_idx : batches(n, tc.batch_size, gen)) {
      torch::Tensor idx = cpu_idx.to(dev);
      set_lr(qopt, tc.qat_lr * lr_factor(step++, total, 0.0));
      std::vector<torch::Tensor> masters;
      {
        torch::NoGradGuard ng;
        for (size_t i = 0; i < dec_params.size(); ++i) {
          masters.push_back(dec_params[i].detach().clone());
          dec_params[i].copy_(fake_quant(masters.back(), steps[i]));
        }
      }
      torch::Tensor mse;
      // Quantised embeddings, or the index-derived input of architectures that send none.
      torch::Tensor in =
          emb_hat.defined() ? emb_hat.index_select(0, idx) : model.embed(torch::Tensor(), idx);
      torch::Tensor loss = loss_of(model.decode(in), d, idx, tc.msssim_weight, mse);
      if (residual && tc.temporal_l1 > 0)
        loss = loss + tc.temporal_l1 * temporal_penalty(dec_params, anchors, prev_steps);
      qopt.zero_grad();
      loss.backward();
      {
        torch::NoGradGuard ng;
        for (size_t i = 0; i < dec_params.size(); ++i) dec_params[i].copy_(masters[i]);
      }
      qopt.step();
      mse_sum += mse * double(idx.size(0));
    }
    if (progress)
      progress({"qat", e + 1, tc.qat_epochs, psnr_of_mse(mse_sum.item<double>() / double(n))});
  }

  // 5. Final integers: weights (intra) or their change since the previous segment (residual).
  model.eval();
  for (size_t i = 0; i < coded.size(); ++i) {
    torch::Tensor w = dec_params[i].detach().to(torch::kCPU).contiguous();
    std::vector<int32_t> q(size_t(w.numel()));
    quantize_weights(w.data_ptr<float>(), q.size(), grids[i], q.data());
    if (residual)
      for (size_t k = 0; k < q.size(); ++k) q[k] -= prev->q[i][k];
    p.symbols.push_back(std::move(q));
  }
  if (!residual) p.grids = std::move(grids);
  return p;
}

}  // namespace nerv
