#include "codec/grid_codec.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "base/error.h"
#include "base/json_fields.h"
#include "codec/frame_tensors.h"
#include "codec/laplace_coder.h"
#include "codec/latent_proxy.h"
#include "codec/loss.h"
#include "codec/prior_registry.h"
#include "codec/quant.h"
#include "codec/range_coder.h"
#include "codec/symbol_coders.h"

namespace nerv {
namespace {

enum Step { kSynWeight = 0, kSynBias = 1, kArmWeight = 2, kArmBias = 3 };
constexpr int kMaxSynShift = 24, kMaxArmShift = 8;  // ARM steps stay exact in Q8
constexpr int kSearchMaxSynShift = 16;              // the finest synthesis step searched
constexpr int32_t kMaxArmQ8 = 1 << 20;              // keeps the integer ARM inside int64
const char* const kGroupNames[4] = {"synthesis.weights", "synthesis.biases", "arm.weights",
                                    "arm.biases"};

struct Coded {
  std::string name;
  torch::Tensor t;
  Step step;
};

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Every transmitted tensor in bitstream order (§8.2) with the step it is quantised with.
std::vector<Coded> coded_tensors(LatentGrid& m) {
  std::vector<Coded> out;
  for (auto& [name, t] : m.synthesis_tensors())
    out.push_back({name, t, ends_with(name, ".bias") ? kSynBias : kSynWeight});
  for (auto& [name, t] : m.arm_tensors())
    out.push_back({name, t, ends_with(name, ".bias") ? kArmBias : kArmWeight});
  return out;
}

std::vector<int32_t> quantize(const torch::Tensor& t, int shift) {
  torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const float* p = c.data_ptr<float>();
  std::vector<int32_t> q(size_t(c.numel()));
  double scale = std::ldexp(1.0, shift);
  for (size_t i = 0; i < q.size(); ++i)
    q[i] = int32_t(std::clamp<double>(std::nearbyint(p[i] * scale), -kMaxSymbol, kMaxSymbol));
  return q;
}

// w = q * 2^-shift, exact in binary32 for |q| <= 2^24.
void dequantize_into(const torch::Tensor& dst, const std::vector<int32_t>& q, int shift) {
  torch::Tensor w = torch::empty(dst.sizes(), torch::kFloat);
  float* p = w.data_ptr<float>();
  for (size_t i = 0; i < q.size(); ++i) p[i] = std::ldexp(float(q[i]), -shift);
  torch::NoGradGuard ng;
  dst.copy_(w);
}

std::vector<std::vector<int32_t>> arm_part(const std::vector<std::vector<int32_t>>& q,
                                           size_t first_arm) {
  return {q.begin() + long(first_arm), q.end()};
}

size_t first_arm_tensor(const std::vector<Coded>& c) {
  size_t i = 0;
  while (i < c.size() && c[i].step != kArmWeight && c[i].step != kArmBias) ++i;
  return i;
}

torch::Tensor latent_tensor(const std::vector<int32_t>& v, const std::array<int64_t, 3>& s) {
  return torch::from_blob(const_cast<int32_t*>(v.data()), {s[0], s[1], s[2]}, torch::kInt)
      .to(torch::kFloat);
}

// The last latent frame of each level of the previous segment (null where there is none, or
// where `chained` is false): what a residual segment's first latent frames see before them.
std::vector<const int32_t*> last_frames(bool chained,
                                        const std::vector<std::vector<int32_t>>& previous,
                                        const std::vector<std::array<int64_t, 3>>& shapes) {
  std::vector<const int32_t*> out(shapes.size(), nullptr);
  if (!chained || previous.size() != shapes.size()) return out;
  for (size_t l = 0; l < shapes.size(); ++l) {
    size_t frame = size_t(shapes[l][1] * shapes[l][2]);
    if (previous[l].size() >= frame && previous[l].size() % frame == 0)
      out[l] = previous[l].data() + (previous[l].size() - frame);
  }
  return out;
}

// The model config of the stream, laid out for its pixel format.
LatentGridConfig grid_config(const nlohmann::json& model, const StreamHeader& h) {
  LatentGridConfig c = parse_latent_grid_config(model);
  c.full_chroma = h.pix_fmt != PixFmt::YUV420P;
  c.grey = h.pix_fmt == PixFmt::GRAY;
  return c;
}

// A prior fits a model when it was trained for the same model config, tensor by tensor.
void check_prior(const GridPrior& p, LatentGrid& m, const nlohmann::json& model,
                 const std::string& preset) {
  std::vector<Coded> coded = coded_tensors(m);
  bool same = p.model == model && p.tensors.size() == coded.size();
  for (size_t i = 0; same && i < coded.size(); ++i)
    same = p.tensors[i].first == coded[i].name && p.tensors[i].second.sizes() == coded[i].t.sizes();
  if (!same)
    throw Error("prior " + prior_id(p) + " was trained for another model than '" + preset + "'");
}

// The training distortion, as the format is scored: YUV 6:1:1 (4:2:0), the mean of R, G, B, or
// the grey plane's.
torch::Tensor distortion(const StreamHeader& h, const torch::Tensor& a0, const torch::Tensor& a12,
                         const torch::Tensor& b0, const torch::Tensor& b12) {
  if (h.pix_fmt == PixFmt::YUV420P) return mse_611(a0, a12, b0, b12);
  if (h.pix_fmt == PixFmt::GRAY) return torch::mse_loss(a0, b0);
  return (torch::mse_loss(a0, b0) + 2 * torch::mse_loss(a12, b12)) / 3;
}

}  // namespace

ArmInt arm_from_symbols(int hidden, const std::vector<std::vector<int32_t>>& arm_q,
                        const GridSteps& steps, const std::string& where) {
  std::vector<std::vector<int32_t>> q8 = arm_q;
  for (size_t i = 0; i < q8.size(); ++i) {
    int shift = steps.shift[i % 2 == 0 ? kArmWeight : kArmBias];
    for (int32_t& v : q8[i]) {
      int64_t x = int64_t(v) * (int64_t(1) << (8 - shift));
      if (x < -kMaxArmQ8 || x > kMaxArmQ8)
        throw Error(where + ": context model weight out of range");
      v = int32_t(x);
    }
  }
  return ArmInt(hidden, std::move(q8));
}

std::vector<uint8_t> encode_level(const ArmInt& arm, const std::vector<int32_t>& latents,
                                  const std::array<int64_t, 3>& s, double* bits,
                                  const int32_t* before) {
  RangeEncoder enc;
  int T = int(s[0]), H = int(s[1]), W = int(s[2]);
  size_t i = 0;
  for (int t = 0; t < T; ++t)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x, ++i) {
        int32_t mu16;
        int k;
        arm.predict(latents.data(), H, W, t, y, x, mu16, k, before);
        laplace_encode(enc, latents[i], mu16, k);
        if (bits) *bits += laplace_cost_bits(latents[i], mu16, k);
      }
  return enc.finish();
}

std::vector<int32_t> decode_level(const ArmInt& arm, const uint8_t* p, size_t n,
                                  const std::array<int64_t, 3>& s, const std::string& where,
                                  const int32_t* before) {
  RangeDecoder dec(p, n);
  int T = int(s[0]), H = int(s[1]), W = int(s[2]);
  std::vector<int32_t> g(size_t(T) * H * W);
  size_t i = 0;
  for (int t = 0; t < T; ++t)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x, ++i) {
        int32_t mu16;
        int k;
        arm.predict(g.data(), H, W, t, y, x, mu16, k, before);
        try {
          g[i] = laplace_decode(dec, mu16, k);
        } catch (const Error& e) {
          throw Error(where + ": " + e.what());
        }
      }
  return g;
}

// ---- decoder ----

GridDecoder::GridDecoder(const StreamHeader& h, torch::Device device, torch::ScalarType dtype)
    : header_(h), device_(device), dtype_(dtype) {
  nlohmann::json model_cfg;
  QuantConfig unused;
  parse_decoder_config(h.config, model_cfg, unused);
  model_ = std::make_shared<LatentGrid>(grid_config(model_cfg, h), h.width, h.height);
  model_->eval();
  model_->to(device_, dtype_);
  if (std::string id = stream_prior(h.config); !id.empty()) {
    prior_ = find_prior(id);
    if (!prior_)
      throw Error("this stream was coded against prior " + id +
                  ", which this decoder lacks (give it with --prior FILE)");
    check_prior(*prior_, *model_, model_cfg, "this stream");
  }
}

void GridDecoder::rebuild(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
                          std::vector<TensorStats>* stats) {
  std::string where = "segment " + std::to_string(sh.index);
  bool residual = sh.type == SegmentType::Residual;
  if (residual && (last_segment_ < 0 || last_segment_ != int64_t(sh.index) - 1))
    throw Error(where + ": residual segment without its previous segment");
  last_segment_ = -1;  // until this one succeeds
  if (stats) stats->clear();
  ByteReader r(payload.data(), payload.size(), where);

  GridSteps steps = state_.steps;
  if (!residual)
    for (int i = 0; i < 4; ++i) {
      steps.shift[size_t(i)] = r.u8();
      int max = i < 2 ? kMaxSynShift : kMaxArmShift;
      if (steps.shift[size_t(i)] > max) throw Error(where + ": quantisation step out of range");
    }
  std::vector<Coded> coded = coded_tensors(*model_);
  std::vector<std::vector<int32_t>> q(coded.size());
  for (int g = 0; g < 4; ++g) {  // one coded block per step group (§8.2)
    size_t count = 0;
    for (const Coded& c : coded)
      if (c.step == g) count += size_t(c.t.numel());
    TensorStats st{kGroupNames[g]};
    if (g == 0 && !residual) st.bytes = 4;
    std::vector<int32_t> s = read_block(r, count, &st);
    size_t at = 0;
    for (size_t i = 0; i < coded.size(); ++i) {
      if (coded[i].step != g) continue;
      q[i].assign(s.begin() + long(at), s.begin() + long(at + size_t(coded[i].t.numel())));
      at += q[i].size();
      // A residual segment codes the change from the previous segment's weights; an intra one
      // of a stream with a prior, the difference from the prior's at this segment's steps.
      std::vector<int32_t> base;
      if (!residual && prior_)
        base = quantize(prior_->tensors[i].second, steps.shift[coded[i].step]);
      const std::vector<int32_t>* from = residual ? &state_.q[i] : prior_ ? &base : nullptr;
      if (from)
        for (size_t k = 0; k < q[i].size(); ++k) {
          int64_t v = int64_t((*from)[k]) + q[i][k];
          if (v < -kMaxSymbol || v > kMaxSymbol) throw Error(where + ": weight out of range");
          q[i][k] = int32_t(v);
        }
    }
    if (stats) stats->push_back(st);
  }
  size_t first_arm = first_arm_tensor(coded);
  ArmInt arm = arm_from_symbols(model_->config().arm_hidden, arm_part(q, first_arm), steps, where);

  // The levels are independent streams (§8.2): decoded in parallel, the largest first.
  auto shapes = latent_shapes(model_->config(), header_.width, header_.height, int(sh.frames));
  std::vector<std::pair<const uint8_t*, uint32_t>> coded_levels;
  for (size_t l = 0; l < shapes.size(); ++l) {
    uint32_t size = r.u32();
    coded_levels.push_back({r.take(size), size});
  }
  std::vector<std::vector<int32_t>> latents(shapes.size());
  std::vector<size_t> order(shapes.size());
  for (size_t l = 0; l < order.size(); ++l) order[l] = l;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return shapes[a][0] * shapes[a][1] * shapes[a][2] > shapes[b][0] * shapes[b][1] * shapes[b][2];
  });
  // Chained context (§8.3): a residual segment's levels see the previous one's last frames.
  std::vector<const int32_t*> before =
      last_frames(residual && model_->config().chain_context, latents_, shapes);
  // On the CPU a thread that is done with its level upsamples it for reconstruct() while the
  // largest level is still being decoded.
  bool upsample_here = device_.is_cpu();
  std::vector<torch::Tensor> upsampled(shapes.size());
  std::atomic<size_t> next{0};  // each thread takes the largest level left
  int64_t workers = std::min<int64_t>(at::get_num_threads(), int64_t(order.size()));
  at::parallel_for(0, workers, 1, [&](int64_t, int64_t) {
    for (size_t i; (i = next++) < order.size();) {
      size_t l = order[i];
      latents[l] = decode_level(arm, coded_levels[l].first, coded_levels[l].second, shapes[l],
                                where + ": latent level " + std::to_string(l), before[l]);
      if (upsample_here) {
        torch::NoGradGuard ng;
        upsampled[l] =
            model_->upsample_level(latent_tensor(latents[l], shapes[l]).to(dtype_), int(sh.frames));
      }
    }
  });
  if (stats)
    for (size_t l = 0; l < shapes.size(); ++l) {
      TensorStats st{"latents.l" + std::to_string(l)};
      st.symbols = latents[l].size();
      st.bytes = 4 + size_t(coded_levels[l].second);
      st.entropy_bits = order0_entropy_bits(latents[l]);
      st.coder = "laplace";
      stats->push_back(st);
    }
  if (r.remaining() != 0) throw Error(where + ": payload has unexpected trailing bytes");

  for (size_t i = 0; i < coded.size(); ++i)
    dequantize_into(coded[i].t, q[i], steps.shift[coded[i].step]);
  state_.steps = steps;
  state_.q = std::move(q);
  latents_ = std::move(latents);
  upsampled_ = upsample_here ? std::move(upsampled) : std::vector<torch::Tensor>{};
  arm_ = std::move(arm);
  last_header_ = sh;
  last_segment_ = sh.index;
}

void GridDecoder::reconstruct(std::vector<Frame>& frames,
                              const std::function<bool(size_t, size_t)>& on_batch) {
  const SegmentHeader& sh = last_header_;
  torch::NoGradGuard ng;
  frames.resize(sh.frames);
  torch::Tensor stacked;
  if (!upsampled_.empty()) {
    stacked = LatentGrid::stack_levels(upsampled_);
    upsampled_.clear();  // the stack holds its own copy
  } else {
    auto shapes = latent_shapes(model_->config(), header_.width, header_.height, int(sh.frames));
    std::vector<torch::Tensor> lat;
    for (size_t l = 0; l < shapes.size(); ++l)
      lat.push_back(latent_tensor(latents_[l], shapes[l]).to(device_, dtype_));
    stacked = model_->upsample(lat, int(sh.frames));
  }
  for (int64_t s = 0; s < int64_t(sh.frames); s += batch_) {
    int64_t b = std::min<int64_t>(batch_, int64_t(sh.frames) - s);
    torch::Tensor y, uv;
    model_->render(stacked.narrow(0, s, b), y, uv);
    planes_to_frames(to_8bit(y).cpu(), to_8bit(uv).cpu(), header_.pix_fmt, header_.matrix,
                     header_.range, int64_t(sh.first_frame) + s, frames.data() + s);
    if (on_batch && !on_batch(size_t(s), size_t(b))) return;
  }
}

// Synthesis and context model per pixel, the latter at full segments.
DecoderComplexity grid_complexity(LatentGrid& m, const StreamHeader& h) {
  DecoderComplexity c;
  for (auto& x : coded_tensors(m)) c.params += size_t(x.t.numel());
  const LatentGridConfig& g = m.config();
  c.macs_per_pixel = m.synthesis_macs_per_pixel() +
                     m.arm_macs_per_latent() * m.latents_per_pixel(int(h.segment_frames));
  double per = double(g.levels.size());
  for (int w : g.synthesis) per += w;
  per += double(m.out_channels()) * (1 + g.refine);
  c.activations_per_pixel = g.full_chroma ? per : per / 4;
  c.pixels_per_frame = int64_t(h.width) * h.height;
  return c;
}

DecoderComplexity GridDecoder::complexity() const {
  return grid_complexity(*model_, header_);
}

void fit_grid(LatentGrid& model, const StreamHeader& h, const std::vector<torch::Tensor>& nets,
              std::vector<torch::Tensor>& lat, const std::vector<torch::Tensor>& before,
              const SegmentTensors& d, const TrainConfig& tc, int steps, int hard, uint64_t seed,
              const std::function<void(const FitProgress&)>& progress) {
  const int T = int(d.y.size(0));
  const double pixels = double(T) * h.width * h.height;
  at::Generator gen = at::detail::createCPUGenerator(seed);
  torch::optim::Adam opt(
      {torch::optim::OptimizerParamGroup(lat), torch::optim::OptimizerParamGroup(nets)},
      torch::optim::AdamOptions(tc.lr));
  model.train();
  for (int s = 0; s < steps + hard; ++s) {
    bool hard_phase = s >= steps;
    double f;
    if (!hard_phase) {
      int warm = int(std::lround(tc.warmup * steps));
      f = s < warm ? double(s + 1) / warm
                   : 0.5 * (1 + std::cos(M_PI * double(s - warm) / std::max(1, steps - warm)));
      f = std::max(f, 0.02);
    } else {
      f = 0.1 * 0.5 * (1 + std::cos(M_PI * double(s - steps) / std::max(1, hard)));
    }
    static_cast<torch::optim::AdamOptions&>(opt.param_groups()[0].options()).lr(tc.latent_lr * f);
    static_cast<torch::optim::AdamOptions&>(opt.param_groups()[1].options()).lr(tc.lr * f);
    std::vector<torch::Tensor> lq;
    for (auto& l : lat) {
      if (hard_phase)
        lq.push_back(l + (torch::round(l) - l).detach());
      else
        lq.push_back(proxy_round(l, tc.proxy, double(s) / std::max(1, steps - 1), gen));
    }
    torch::Tensor y_hat, uv_hat;
    model.synthesize(lq, T, y_hat, uv_hat);
    torch::Tensor mse = distortion(h, y_hat, uv_hat, d.y, d.uv);
    torch::Tensor loss = mse;
    if (tc.lambda > 0) loss = loss + tc.lambda * model.rate_bits(lq, before) / pixels;
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (progress)
      progress({hard_phase ? "qat" : "fit", hard_phase ? s - steps + 1 : s + 1,
                hard_phase ? hard : steps, psnr_of_mse(mse.item<double>())});
  }
  model.eval();
}

// ---- encoder ----

GridEncoder::GridEncoder(const CodecConfig& cfg, const StreamHeader& h, torch::Device device,
                         std::shared_ptr<const GridPrior> prior,
                         std::shared_ptr<const GridPredictor> predictor)
    : cfg_(cfg), header_(h), device_(device), prior_(std::move(prior)) {
  model_ = std::make_shared<LatentGrid>(grid_config(cfg.model, h), h.width, h.height);
  model_->to(device_);
  if (prior_) check_prior(*prior_, *model_, cfg.model, cfg.name);
  if (predictor) {
    check_predictor(*predictor, prior_.get(), cfg);
    if (predictor->in_channels != model_->out_channels())
      throw Error("predictor " + predictor_id(*predictor) + " was trained for " +
                  (predictor->in_channels == 6 ? "4:2:0 video" : "another pixel format") +
                  ", not this input's");
    predictor_ = make_latent_predictor(*predictor);
    predictor_->to(device_);
  }
}

DecoderComplexity GridEncoder::complexity() const {
  return grid_complexity(*model_, header_);
}

std::vector<torch::Tensor> GridEncoder::state() const {
  std::vector<torch::Tensor> s = module_state(*model_);
  for (const auto& l : last_latents_) s.push_back(l.clone());
  return s;
}

void GridEncoder::restore(const std::vector<torch::Tensor>& state) {
  size_t at = 0;
  restore_module_state(*model_, state, at);
  last_latents_.assign(state.begin() + long(at), state.end());
  for (const auto& l : last_latents_)
    if (l.dim() != 3 || l.scalar_type() != torch::kFloat)
      throw Error("checkpoint: encoder state does not fit this model");
}

std::vector<uint8_t> GridEncoder::encode(const std::vector<Frame>& frames, const SegmentHeader& sh,
                                         FamilyDecoder& reference, uint64_t seed, bool fresh,
                                         const std::function<void(const FitProgress&)>& progress,
                                         std::vector<TensorStats>* written) {
  auto* ref = dynamic_cast<GridDecoder*>(&reference);
  if (!ref) throw Error("grid encoder: the reference decoder is of another family");
  const TrainConfig& tc = cfg_.train;
  const bool residual = sh.type == SegmentType::Residual;
  const int T = int(frames.size());
  const double pixels = double(T) * header_.width * header_.height;
  std::vector<Coded> coded = coded_tensors(*model_);
  const bool from_prior = prior_ && !residual;
  if (from_prior) {  // the same start for every intra segment: chains depend on nothing before
    torch::NoGradGuard ng;
    for (size_t i = 0; i < coded.size(); ++i) coded[i].t.copy_(prior_->tensors[i].second);
  } else if (!fresh) {  // start from what the decoder has: the previous segment's decoded weights
    torch::NoGradGuard ng;
    std::vector<Coded> src = coded_tensors(ref->model());
    for (size_t i = 0; i < coded.size(); ++i) coded[i].t.copy_(src[i].t);
  }
  SegmentTensors d = frames_to_tensors(frames, header_.width, header_.height, device_);

  // Latents start from the predictor's prediction; without one, from the previous segment's
  // where the shapes agree, else from zero.
  auto shapes = latent_shapes(model_->config(), header_.width, header_.height, T);
  std::vector<torch::Tensor> lat;
  if (predictor_) {
    torch::NoGradGuard ng;
    lat = predictor_->forward(d.y, d.uv, shapes);
  }
  for (size_t l = 0; l < shapes.size(); ++l) {
    if (predictor_) {
      lat[l] = lat[l].detach().contiguous().set_requires_grad(true);
      continue;
    }
    std::vector<int64_t> s = {shapes[l][0], shapes[l][1], shapes[l][2]};
    bool reuse =
        !from_prior && !fresh && l < last_latents_.size() && last_latents_[l].sizes().vec() == s;
    lat.push_back((reuse ? last_latents_[l].clone() : torch::zeros(s, torch::kFloat))
                      .to(device_)
                      .set_requires_grad(true));
  }

  // A residual segment's levels may see the previous segment's last latent frames (§8.3).
  std::vector<const int32_t*> before =
      last_frames(residual && model_->config().chain_context, ref->latents(), shapes);
  std::vector<torch::Tensor> before_t(shapes.size());
  for (size_t l = 0; l < shapes.size(); ++l)
    if (before[l])
      before_t[l] = torch::from_blob(const_cast<int32_t*>(before[l]),
                                     {1, shapes[l][1], shapes[l][2]}, torch::kInt)
                        .to(device_, torch::kFloat);

  // 1. Distortion + lambda * rate: noisy latents, then `qat_epochs` steps of hard rounding.
  std::vector<torch::Tensor> nets;
  for (auto& c : coded) nets.push_back(c.t);
  // From a prediction, smaller steps (the shorter the refinement, the smaller): the preset's
  // learning rates, meant for a fit from nothing, leave the prediction behind at once.
  const int fit_steps = fresh || from_prior ? tc.epochs : tc.warm_epochs;
  TrainConfig fit = tc;
  if (predictor_) {
    double k = tc.refine_lr * std::min(1.0, fit_steps / 30.0);
    fit.lr *= k;
    fit.latent_lr *= k;
  }
  fit_grid(*model_, header_, nets, lat, before_t, d, fit, fit_steps, tc.qat_epochs, seed, progress);
  model_->eval();
  torch::NoGradGuard ng;

  // 2. Integer latents.
  std::vector<std::vector<int32_t>> q_lat;
  std::vector<torch::Tensor> lat_hat;
  last_latents_.clear();
  for (auto& l : lat) {
    torch::Tensor r = torch::round(l.detach()).clamp(-(kMaxLatent - 1), kMaxLatent - 1);
    last_latents_.push_back(l.detach().to(torch::kCPU).clone());
    torch::Tensor ri = r.to(torch::kCPU, torch::kInt).contiguous();
    q_lat.emplace_back(ri.data_ptr<int32_t>(), ri.data_ptr<int32_t>() + ri.numel());
    lat_hat.push_back(r);
  }

  // 3. Quantisation steps: searched for an intra segment (distortion + lambda * bytes actually
  //    written), inherited by a residual one.
  std::vector<torch::Tensor> saved;
  for (auto& c : coded) saved.push_back(c.t.detach().clone());
  GridSteps st;
  if (residual) {
    st = ref->state().steps;
  } else if (from_prior && fit_steps == 0) {
    // The prior's weights untouched (a prediction coded as it is): their change codes as zeros
    // at any step, so the finest steps searched cost no more bytes. (On foreman the search found
    // 1.3 % fewer bytes in a coarser context-model step, at four times the time.)
    st.shift = {kSearchMaxSynShift, kSearchMaxSynShift, kMaxArmShift, kMaxArmShift};
  } else {
    auto bytes_of = [&](Step which, int shift) {
      std::vector<int32_t> sym;
      for (size_t i = 0; i < coded.size(); ++i)
        if (coded[i].step == which) {
          std::vector<int32_t> qc = quantize(saved[i], shift);
          if (prior_) {
            std::vector<int32_t> base = quantize(prior_->tensors[i].second, shift);
            for (size_t k = 0; k < qc.size(); ++k) qc[k] -= base[k];
          }
          sym.insert(sym.end(), qc.begin(), qc.end());
        }
      ByteWriter w;
      write_block(w, sym, nullptr);
      return double(w.size());
    };
    auto apply = [&](Step which, int shift) {
      for (size_t i = 0; i < coded.size(); ++i)
        if (coded[i].step == which) dequantize_into(coded[i].t, quantize(saved[i], shift), shift);
    };
    auto quantised_mse = [&] {
      torch::Tensor y_hat, uv_hat;
      model_->synthesize(lat_hat, T, y_hat, uv_hat);
      return distortion(header_, y_hat, uv_hat, d.y, d.uv).item<double>();
    };
    auto latent_bits = [&] { return model_->rate_bits(lat_hat, before_t).item<double>(); };
    double lam = std::max(tc.lambda, 1e-9);
    // Each step in turn, the others at their current choice (weights before biases).
    st.shift = {12, 12, 8, 8};
    for (Step which : {kSynWeight, kSynBias, kArmWeight, kArmBias}) {
      bool arm = which == kArmWeight || which == kArmBias;
      int lo = arm ? 0 : 3, hi = arm ? kMaxArmShift : kSearchMaxSynShift;
      double best = 1e300;
      for (int shift = lo; shift <= hi; ++shift) {
        apply(which, shift);
        double cost = arm ? lam * (latent_bits() + 8 * bytes_of(which, shift)) / pixels
                          : quantised_mse() + lam * 8 * bytes_of(which, shift) / pixels;
        if (cost < best) {
          best = cost;
          st.shift[which] = uint8_t(shift);
        }
      }
      apply(which, st.shift[which]);
    }
  }

  // 4. The payload (§8): steps, weights (or their change), latents per level.
  std::vector<std::vector<int32_t>> q;
  for (size_t i = 0; i < coded.size(); ++i)
    q.push_back(quantize(saved[i], st.shift[coded[i].step]));
  ByteWriter w;
  if (!residual)
    for (uint8_t s : st.shift) w.u8(s);
  if (written) written->clear();
  for (int g = 0; g < 4; ++g) {
    std::vector<int32_t> sym;
    for (size_t i = 0; i < coded.size(); ++i) {
      if (coded[i].step != g) continue;
      std::vector<int32_t> base;
      if (from_prior) base = quantize(prior_->tensors[i].second, st.shift[coded[i].step]);
      for (size_t k = 0; k < q[i].size(); ++k)
        sym.push_back(residual     ? q[i][k] - ref->state().q[i][k]
                      : from_prior ? q[i][k] - base[k]
                                   : q[i][k]);
    }
    TensorStats ts{kGroupNames[g]};
    if (g == 0 && !residual) ts.bytes = 4;
    write_block(w, sym, &ts);
    if (written) written->push_back(ts);
  }
  ArmInt arm = arm_from_symbols(model_->config().arm_hidden, arm_part(q, first_arm_tensor(coded)),
                                st, "encoder");
  for (size_t l = 0; l < shapes.size(); ++l) {
    double bits = 0;
    std::vector<uint8_t> b = encode_level(arm, q_lat[l], shapes[l], &bits, before[l]);
    w.u32(uint32_t(b.size()));
    w.bytes(b);
    if (written) {
      TensorStats ts{"latents.l" + std::to_string(l)};
      ts.symbols = q_lat[l].size();
      ts.bytes = 4 + b.size();
      ts.entropy_bits = order0_entropy_bits(q_lat[l]);
      ts.coder = "laplace";
      written->push_back(ts);
    }
  }
  return std::move(w.data());
}

}  // namespace nerv
