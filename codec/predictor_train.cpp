#include "codec/predictor_train.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <numeric>

#include "base/error.h"
#include "codec/frame_tensors.h"
#include "codec/latent_proxy.h"
#include "codec/loss.h"
#include "codec/train_clips.h"
#include "models/latent_grid.h"
#include "models/latent_predictor.h"

namespace nerv {

const TensorFileKind kPredictorCheckpoint{"NERVHCKP", 1, "train-hyper checkpoint"};

namespace {

NamedTensors transmitted(LatentGrid& m) {
  NamedTensors all = m.synthesis_tensors();
  for (auto& t : m.arm_tensors()) all.push_back(t);
  return all;
}

template <class C>
double mean(const C& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

// Values into `dst` (same names and shapes), or an error saying what does not fit.
void load_into(const NamedTensors& dst, const NamedTensors& src, size_t from, const char* what) {
  if (src.size() < from + dst.size())
    throw Error(std::string("train-hyper: ") + what + " does not fit");
  torch::NoGradGuard ng;
  for (size_t i = 0; i < dst.size(); ++i) {
    const auto& s = src[from + i];
    if (s.first.substr(s.first.find('.') + 1) != dst[i].first ||
        !s.second.sizes().equals(dst[i].second.sizes()))
      throw Error(std::string("train-hyper: ") + what + " does not fit this model");
    dst[i].second.copy_(s.second);
  }
}

}  // namespace

TrainedPredictor train_predictor(const PredictorTrainOptions& opt, const GridPrior* start,
                                 const TensorFile* resume,
                                 const std::function<void(const PredictorTrainProgress&)>& progress,
                                 const std::function<void(const TensorFile&, int)>& checkpoint,
                                 PredictorTrainReport* report) {
  auto t0 = std::chrono::steady_clock::now();
  if (opt.freeze_prior && !start) throw Error("train-hyper: --freeze-prior needs --prior");
  const int F = opt.frames > 0 ? opt.frames : opt.cfg.segment_frames;
  const int segments = opt.pairs ? 2 : 1;
  std::vector<TrainClip> clips =
      read_train_clips(opt.data, opt.clip_frames, segments * F, opt.crop, "train-hyper");

  LatentGridConfig gcfg = parse_latent_grid_config(opt.cfg.model);
  torch::manual_seed(opt.seed);  // the random start: the model's, then the predictor's
  LatentGrid task(gcfg, opt.crop, opt.crop);
  LatentPredictor pred(task.out_channels(), int(gcfg.levels.size()), opt.channels, opt.depth);
  task.to(opt.device);
  pred.to(opt.device);
  NamedTensors base = transmitted(task), net = pred.tensors();
  if (start) {
    if (start->model != opt.cfg.model) throw Error("train-hyper: the prior is of another model");
    NamedTensors named;
    for (const auto& [n, t] : start->tensors) named.emplace_back("base." + n, t);
    load_into(base, named, 0, "the prior");
  }
  if (opt.from) {
    if (!start || opt.from->prior != prior_id(*start))
      throw Error("train-hyper: the starting predictor " + predictor_id(*opt.from) +
                  " is for prior " + opt.from->prior + ": give that prior with --prior");
    if (opt.from->channels != opt.channels || opt.from->depth != opt.depth ||
        opt.from->in_channels != task.out_channels())
      throw Error("train-hyper: the starting predictor " + predictor_id(*opt.from) +
                  " has another shape (--channels " + std::to_string(opt.from->channels) +
                  " --depth " + std::to_string(opt.from->depth) + ")");
    NamedTensors named;
    for (const auto& [n, t] : opt.from->tensors) named.emplace_back("pred." + n, t);
    load_into(net, named, 0, "the starting predictor");
  }

  std::vector<torch::Tensor> net_params, base_params;
  for (auto& [n, t] : net) net_params.push_back(t);
  for (auto& [n, t] : base) base_params.push_back(t);
  std::vector<torch::optim::OptimizerParamGroup> groups{
      torch::optim::OptimizerParamGroup(net_params)};
  if (!opt.freeze_prior) groups.emplace_back(base_params);
  torch::optim::Adam adam(groups, torch::optim::AdamOptions(opt.lr));
  std::vector<torch::Tensor> trained = net_params;
  if (!opt.freeze_prior) trained.insert(trained.end(), base_params.begin(), base_params.end());

  // A checkpoint: "pred.*", "base.*", then Adam's two moments per trained tensor.
  int start_step = 0;
  if (resume) {
    load_into(net, resume->tensors, 0, "the checkpoint");
    load_into(base, resume->tensors, net.size(), "the checkpoint");
    start_step = resume->meta.value("step", 0);
    int64_t adam_step = resume->meta.value("adam_step", int64_t(0));
    size_t at = net.size() + base.size();
    if (resume->tensors.size() != at + 2 * trained.size())
      throw Error("train-hyper: the checkpoint does not fit this run");
    for (auto& p : trained) {
      auto st = std::make_unique<torch::optim::AdamParamState>();
      st->step(adam_step);
      st->exp_avg(resume->tensors[at++].second.to(opt.device).clone());
      st->exp_avg_sq(resume->tensors[at++].second.to(opt.device).clone());
      adam.state()[c10::guts::to_string(p.unsafeGetTensorImpl())] = std::move(st);
    }
  }
  auto make_checkpoint = [&](int step) {
    TensorFile f;
    int64_t adam_step = 0;
    for (const auto& [n, t] : net) f.tensors.emplace_back("pred." + n, t.detach().to(torch::kCPU));
    for (const auto& [n, t] : base) f.tensors.emplace_back("base." + n, t.detach().to(torch::kCPU));
    for (size_t i = 0; i < trained.size(); ++i) {
      auto it = adam.state().find(c10::guts::to_string(trained[i].unsafeGetTensorImpl()));
      torch::Tensor m = torch::zeros_like(trained[i], torch::kCPU),
                    v = torch::zeros_like(trained[i], torch::kCPU);
      if (it != adam.state().end()) {
        auto& st = static_cast<torch::optim::AdamParamState&>(*it->second);
        m = st.exp_avg().to(torch::kCPU);
        v = st.exp_avg_sq().to(torch::kCPU);
        adam_step = st.step();
      }
      f.tensors.emplace_back("adam.m" + std::to_string(i), m);
      f.tensors.emplace_back("adam.v" + std::to_string(i), v);
    }
    f.meta = {{"step", step}, {"adam_step", adam_step}};
    return f;
  };

  const auto shapes = latent_shapes(gcfg, opt.crop, opt.crop, F);
  const double pixels = double(F) * opt.crop * opt.crop;
  const int hard_from = opt.steps - opt.steps / 10, warm = std::max(1, opt.steps / 50);
  const double lambda = opt.cfg.train.lambda;
  std::deque<double> psnrs, bpps;
  std::vector<double> first_psnr, first_bpp;
  std::vector<Frame> frames(static_cast<size_t>(segments * F));
  task.train();
  pred.train();
  for (int step = start_step; step < opt.steps; ++step) {
    const TrainClip& c = draw_task(clips, opt.seed, step, opt.crop, opt.augment, frames);
    double f =
        step < warm
            ? double(step + 1) / warm
            : 0.1 + 0.9 * 0.5 *
                        (1 + std::cos(M_PI * double(step - warm) / std::max(1, opt.steps - warm)));
    for (auto& g : adam.param_groups())
      static_cast<torch::optim::AdamOptions&>(g.options()).lr(opt.lr * f);
    at::Generator gen = at::detail::createCPUGenerator(opt.seed * 7919 + uint64_t(step));
    // Each segment of the task: predicted, rounded as coded, synthesised; the second of a pair
    // has the first's last latent frames ahead of it, as a residual segment.
    const auto zero = torch::zeros({}, torch::TensorOptions().device(opt.device));
    torch::Tensor mse = zero, bits = zero, change = zero;
    std::vector<torch::Tensor> previous, before;
    SegmentTensors d = frames_to_tensors(frames, opt.crop, opt.crop, opt.device);
    for (int s = 0; s < segments; ++s) {
      torch::Tensor sy = d.y.narrow(0, s * F, F), suv = d.uv.narrow(0, s * F, F);
      std::vector<torch::Tensor> lat = pred.forward(sy, suv, shapes), lq;
      for (auto& l : lat)
        lq.push_back(step >= hard_from
                         ? l + (torch::round(l) - l).detach()
                         : proxy_round(l, opt.cfg.train.proxy,
                                       double(step) / std::max(1, hard_from - 1), gen));
      torch::Tensor y, uv;
      task.synthesize(lq, F, y, uv);
      mse = mse + mse_611(y, uv, sy, suv) / segments;
      bits = bits + task.rate_bits(lq, before);
      if (s > 0) {
        for (size_t l = 0; l < lat.size(); ++l)
          change = change + (lat[l] - previous[l]).square().mean() / double(lat.size());
      }
      if (gcfg.chain_context)
        for (auto& l : lq) before.push_back(l.select(0, l.size(0) - 1).unsqueeze(0));
      previous = lat;
    }
    torch::Tensor loss = mse + lambda * bits / (segments * pixels) + opt.coherence * change;
    adam.zero_grad();
    loss.backward();
    adam.step();

    double psnr = psnr_of_mse(mse.item<double>()), bpp = bits.item<double>() / (segments * pixels);
    if (step - start_step < 20) {
      first_psnr.push_back(psnr);
      first_bpp.push_back(bpp);
    }
    psnrs.push_back(psnr);
    bpps.push_back(bpp);
    if (psnrs.size() > 20) psnrs.pop_front(), bpps.pop_front();
    if (progress)
      progress(
          {step + 1, opt.steps, psnr, bpp, mean(psnrs), mean(bpps), c.path, change.item<double>()});
    if (checkpoint && ((step + 1) % opt.checkpoint_every == 0 || step + 1 == opt.steps))
      checkpoint(make_checkpoint(step + 1), step + 1);
  }

  TrainedPredictor out;
  if (opt.freeze_prior) {
    out.prior = *start;
  } else {
    out.prior.name = opt.name;
    out.prior.model = opt.cfg.model;
    for (auto& [n, t] : base) out.prior.tensors.emplace_back(n, t.detach().to(torch::kCPU).clone());
    out.prior.hash = prior_hash(out.prior);
  }
  out.predictor.name = opt.name;
  out.predictor.model = opt.cfg.model;
  out.predictor.prior = prior_id(out.prior);
  out.predictor.in_channels = task.out_channels();
  out.predictor.channels = opt.channels;
  out.predictor.depth = opt.depth;
  out.predictor.lambda = lambda;
  for (auto& [n, t] : net)
    out.predictor.tensors.emplace_back(n, t.detach().to(torch::kCPU).clone());
  out.predictor.hash = predictor_hash(out.predictor);
  if (report) {
    report->first_psnr = mean(first_psnr);
    report->first_bpp = mean(first_bpp);
    report->last_psnr = mean(psnrs);
    report->last_bpp = mean(bpps);
    report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report->resumed_from = start_step;
  }
  return out;
}

}  // namespace nerv
