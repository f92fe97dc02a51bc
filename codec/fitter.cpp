#include "codec/fitter.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "base/error.h"
#include "codec/flat_adam.h"
#include "codec/loss.h"
#include "models/graphed_step.h"
#include "models/runtime.h"

namespace nerv {
namespace {

// Warm-up then cosine decay, as a multiplier of the base learning rate.
double lr_factor(int64_t step, int64_t total, double warmup) {
  int64_t warm = int64_t(std::llround(warmup * double(total)));
  if (step < warm) return double(step + 1) / double(warm);
  double t = double(step - warm) / double(std::max<int64_t>(1, total - warm));
  return 0.5 * (1 + std::cos(M_PI * t));
}

// Per-output-channel quantisation steps of the coded tensors, one per element, flattened in
// bitstream order (the layout of FlatParams' prefix).
torch::Tensor flat_steps(const std::vector<WeightGrid>& grids,
                         const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> parts;
  for (size_t i = 0; i < params.size(); ++i) {
    const torch::Tensor& w = params[i];
    torch::Tensor s = torch::tensor(grids[i].step, torch::kFloat).to(w.device());
    std::vector<int64_t> shape(size_t(w.dim()), 1);
    if (w.dim() >= 2) shape[0] = w.size(0);
    parts.push_back(s.view(shape).expand(w.sizes()).reshape({-1}));
  }
  return torch::cat(parts);
}

// Per-output-channel fake quantisation on the fixed grid.
torch::Tensor fake_quant(const torch::Tensor& w, const torch::Tensor& step) {
  return (w / step).round().clamp(-kMaxSymbol, kMaxSymbol) * step;
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
  AutocastPause fp32;  // bf16 convolutions would ruin the SSIM variances (E[x^2] - E[x]^2)
  return (1 - msssim_weight) * mse + msssim_weight * msssim_loss(y_hat.to(torch::kFloat), y);
}

// Adam rows (flat_adam.h) for `epochs` epochs of `per_epoch` steps: warm-up, then cosine decay.
torch::Tensor lr_schedule(double lr, int epochs, int64_t per_epoch, double warmup,
                          torch::Device dev) {
  int64_t total = int64_t(epochs) * per_epoch;
  std::vector<double> rates;
  for (int64_t t = 0; t < total; ++t) rates.push_back(lr * lr_factor(t, total, warmup));
  return adam_schedule(rates, AdamHyper{}).to(dev);
}

// The epochs of one training phase. A training step is a fixed sequence of device work over
// tensors that live as long as the phase: before each step its frame indices (from the
// epoch's shuffled order) and its Adam row (from the schedule), all drawn and uploaded up
// front, are copied into them. So after one warm-up step the step is recorded as a CUDA graph
// and replayed: per step a graph launch after two small copies, per epoch one host
// synchronisation (the progress figure). A step rather than a whole epoch is recorded because the
// warm-up and the recording run op by op, launch after launch: for a step they cost a step each,
// not an epoch each.
class Phase {
 public:
  // `step(frames, row)` runs one training step on the frames at indices `frames` with the Adam
  // row `row` and returns that step's (detached) mean squared error.
  using Step = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;

  Phase(const char* name, const SegmentTensors& d, int batch, int epochs, double lr, double warmup,
        at::Generator& gen, Step step)
      : n_(d.input.size(0)),
        batch_(batch),
        per_epoch_((n_ + batch - 1) / batch),
        schedule_(lr_schedule(lr, epochs, per_epoch_, warmup, d.input.device())),
        orders_(shuffles(n_, epochs, gen).to(d.input.device())),
        step_(std::move(step)),
        row_(torch::empty({2}, schedule_.options())),
        mse_(torch::zeros({}, d.y.options())),
        full_(name, d, std::min<int64_t>(batch, n_), this),
        last_(name, d, n_ % batch, this) {}
  Phase(const Phase&) = delete;  // the recorded steps point at this object's tensors
  Phase& operator=(const Phase&) = delete;

  // Runs epoch `e`; returns its mean squared error.
  double run(int e) {
    mse_.zero_();
    torch::Tensor order = orders_[e];
    for (int64_t j = 0; j < per_epoch_; ++j) {
      int64_t s = j * batch_, b = std::min<int64_t>(batch_, n_ - s);
      Slot& slot = b == full_.size ? full_ : last_;
      slot.idx.copy_(order.narrow(0, s, b));
      row_.copy_(schedule_[int64_t(e) * per_epoch_ + j]);
      slot.graph.run();
    }
    return mse_.item<double>() / double(n_);
  }

 private:
  // A step over `size` frames; a shorter last batch of an epoch has its own recording.
  struct Slot {
    Slot(const char* name, const SegmentTensors& d, int64_t size, Phase* phase)
        : size(size),
          idx(torch::empty({size}, d.input.options().dtype(torch::kLong))),
          graph(d.input.device(), name, [this, phase] {
            phase->mse_.add_(phase->step_(idx, phase->row_) * double(this->size));
          }) {}
    int64_t size;
    torch::Tensor idx;
    GraphedStep graph;
  };

  // One shuffled order of the n frames per epoch, [epochs, n].
  static torch::Tensor shuffles(int64_t n, int epochs, at::Generator& gen) {
    std::vector<torch::Tensor> v;
    for (int e = 0; e < epochs; ++e) v.push_back(torch::randperm(n, gen, torch::kLong));
    return v.empty() ? torch::empty({0, n}, torch::kLong) : torch::stack(v);
  }

  int64_t n_, batch_, per_epoch_;
  torch::Tensor schedule_, orders_;
  Step step_;
  torch::Tensor row_, mse_;
  Slot full_, last_;
};

// bf16 autocast for the scope of the fit on a GPU; off again however the scope is left.
struct AutocastScope {
  explicit AutocastScope(bool on) { set_cuda_autocast(on); }
  ~AutocastScope() { set_cuda_autocast(false); }
};

}  // namespace

torch::Tensor temporal_penalty_scale(const torch::Tensor& step, double l1) {
  return step.reciprocal().mul_(l1 / double(step.numel()));
}

void add_temporal_penalty_grad(torch::Tensor& grad, const torch::Tensor& w,
                               const torch::Tensor& anchor, const torch::Tensor& scale) {
  torch::NoGradGuard ng;
  grad.addcmul_(torch::sign(w - anchor), scale);
}

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

  // Decoder parameters first, then the frame encoder's: the decoder is a prefix of the buffer.
  std::vector<torch::Tensor> all_params = dec_params;
  for (auto& p : model.encoder_parameters()) all_params.push_back(p);
  FlatParams flat(all_params);
  const int64_t n_dec = flat.prefix_numel(dec_params.size());
  torch::Tensor dec = flat.data().narrow(0, 0, n_dec), dec_grad = flat.grad().narrow(0, 0, n_dec);

  // Temporal penalty of residual segments: temporal_l1 times the mean change from the previous
  // weights in quantisation steps. Its (sub)gradient is added to the gradient directly.
  torch::Tensor anchor, penalty_scale;
  bool penalty = residual && tc.temporal_l1 > 0;
  if (penalty) {
    anchor = dec.clone();
    penalty_scale = temporal_penalty_scale(flat_steps(prev->grids, dec_params), tc.temporal_l1);
  }
  auto add_penalty_grad = [&] {
    if (penalty) add_temporal_penalty_grad(dec_grad, dec, anchor, penalty_scale);
  };

  // 1. Fit decoder and frame encoder end to end.
  model.train();
  int epochs = first ? tc.epochs : tc.warm_epochs;
  {
    FlatAdam adam(flat.data(), flat.grad());
    AutocastScope autocast(dev.is_cuda());  // bf16 forward passes on a GPU; off for what follows
    Phase fit(
        "fit", d, tc.batch_size, epochs, tc.lr, tc.warmup, gen,
        [&](const torch::Tensor& idx, const torch::Tensor& row) {
          flat.grad().zero_();
          torch::Tensor mse;
          torch::Tensor x = d.input.index_select(0, idx);
          loss_of(model.decode(model.embed(x, idx)), d, idx, tc.msssim_weight, mse).backward();
          add_penalty_grad();
          adam.step(row);
          return mse;
        });
    for (int e = 0; e < epochs; ++e) {
      double mse = fit.run(e);
      if (progress) progress({"fit", e + 1, epochs, psnr_of_mse(mse)});
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
  for (size_t i = 0; i < coded.size(); ++i) {
    if (residual) {
      grids.push_back(prev->grids[i]);
    } else {
      torch::Tensor w = dec_params[i].detach().to(torch::kCPU).contiguous();
      grids.push_back(make_weight_grid(w.data_ptr<float>(), size_t(w.numel()),
                                       TensorShape{"", w.sizes().vec()}.channels(),
                                       cfg.quant.weight_bits));
    }
  }

  // 4. Quantisation-aware fine-tune of the decoder (straight-through: the forward pass sees
  //    quantised weights, the update applies to the float weights).
  model.train();
  if (tc.qat_epochs > 0) {
    torch::Tensor steps = flat_steps(grids, dec_params), master = torch::empty_like(dec);
    FlatAdam adam(dec, dec_grad);
    Phase qat("qat", d, tc.batch_size, tc.qat_epochs, tc.qat_lr, 0.0, gen,
              [&](const torch::Tensor& idx, const torch::Tensor& row) {
                master.copy_(dec);
                dec.copy_(fake_quant(master, steps));
                flat.grad().zero_();
                torch::Tensor mse;
                // Quantised embeddings, or the index-derived input of architectures without.
                torch::Tensor in = emb_hat.defined() ? emb_hat.index_select(0, idx)
                                                     : model.embed(torch::Tensor(), idx);
                loss_of(model.decode(in), d, idx, tc.msssim_weight, mse).backward();
                add_penalty_grad();  // at the quantised weights, which are what is sent
                dec.copy_(master);
                adam.step(row);
                return mse;
              });
    for (int e = 0; e < tc.qat_epochs; ++e) {
      double mse = qat.run(e);
      if (progress) progress({"qat", e + 1, tc.qat_epochs, psnr_of_mse(mse)});
    }
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
