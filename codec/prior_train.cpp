#include "codec/prior_train.h"

#include <chrono>
#include <deque>
#include <numeric>

#include "base/error.h"
#include "codec/grid_codec.h"
#include "codec/train_clips.h"

namespace nerv {
namespace {

NamedTensors transmitted(LatentGrid& m) {
  NamedTensors all = m.synthesis_tensors();
  for (auto& t : m.arm_tensors()) all.push_back(t);
  return all;
}

}  // namespace

GridPrior train_prior(const PriorTrainOptions& opt, const GridPrior* start, int start_step,
                      const std::function<void(const PriorTrainProgress&)>& progress,
                      const std::function<void(GridPrior&, int)>& checkpoint,
                      PriorTrainReport* report) {
  auto t0 = std::chrono::steady_clock::now();
  const int F = opt.frames > 0 ? opt.frames : opt.cfg.segment_frames;
  std::vector<TrainClip> clips =
      read_train_clips(opt.data, opt.clip_frames, F, opt.crop, "train-prior");

  StreamHeader h;
  h.width = h.height = opt.crop;
  h.pix_fmt = PixFmt::YUV420P;
  LatentGridConfig gcfg = parse_latent_grid_config(opt.cfg.model);
  torch::manual_seed(opt.seed);  // the random start, as an encode without a prior has
  LatentGrid task(gcfg, opt.crop, opt.crop);
  task.to(opt.device);
  NamedTensors nets = transmitted(task);

  GridPrior prior;
  prior.name = opt.name;
  prior.model = opt.cfg.model;
  for (auto& [name, t] : nets) prior.tensors.emplace_back(name, t.detach().to(torch::kCPU).clone());
  if (start) {
    if (start->model != prior.model || start->tensors.size() != nets.size())
      throw Error("train-prior: the checkpoint is of another model");
    for (size_t i = 0; i < nets.size(); ++i) {
      if (!start->tensors[i].second.sizes().equals(nets[i].second.sizes()))
        throw Error("train-prior: the checkpoint is of another model");
      prior.tensors[i].second = start->tensors[i].second.clone();
    }
  }

  std::deque<double> recent;
  std::vector<double> first;
  std::vector<Frame> frames(static_cast<size_t>(F));
  TrainConfig tc = opt.cfg.train;
  for (int step = start_step; step < opt.steps; ++step) {
    const TrainClip& c = draw_task(clips, opt.seed, step, opt.crop, opt.augment, frames);
    SegmentTensors d = frames_to_tensors(frames, opt.crop, opt.crop, opt.device);

    // The inner fit from the prior, latents from zero.
    std::vector<torch::Tensor> w;
    {
      torch::NoGradGuard ng;
      for (size_t i = 0; i < nets.size(); ++i) {
        nets[i].second.copy_(prior.tensors[i].second);
        w.push_back(nets[i].second);
      }
    }
    std::vector<torch::Tensor> lat;
    for (const auto& s : latent_shapes(gcfg, opt.crop, opt.crop, F))
      lat.push_back(torch::zeros({s[0], s[1], s[2]}, torch::TensorOptions(opt.device))
                        .set_requires_grad(true));
    double psnr = 0;
    fit_grid(task, h, w, lat, {}, d, tc, opt.inner, 0, opt.seed + uint64_t(step),
             [&](const FitProgress& p) { psnr = p.psnr; });

    // The outer step: part of the way towards the fitted weights.
    {
      torch::NoGradGuard ng;
      double eps = opt.outer_lr * (1.0 - 0.9 * double(step) / opt.steps);
      for (size_t i = 0; i < nets.size(); ++i) {
        if (opt.arm_only && prior.tensors[i].first.rfind("arm", 0) != 0) continue;
        torch::Tensor& p = prior.tensors[i].second;
        p.add_(nets[i].second.detach().to(torch::kCPU) - p, eps);
      }
    }
    if (step - start_step < 20) first.push_back(psnr);
    recent.push_back(psnr);
    if (recent.size() > 20) recent.pop_front();
    double mean = std::accumulate(recent.begin(), recent.end(), 0.0) / double(recent.size());
    if (progress) progress({step + 1, opt.steps, psnr, mean, c.path});
    if (checkpoint && ((step + 1) % opt.checkpoint_every == 0 || step + 1 == opt.steps))
      checkpoint(prior, step + 1);
    if (report) report->last_psnr = mean;
  }
  if (report) {
    report->first_psnr =
        first.empty() ? 0 : std::accumulate(first.begin(), first.end(), 0.0) / double(first.size());
    report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report->resumed_from = start_step;
  }
  prior.hash = prior_hash(prior);
  return prior;
}

}  // namespace nerv
