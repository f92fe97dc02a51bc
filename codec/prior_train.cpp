#include "codec/prior_train.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <numeric>
#include <random>

#include "base/error.h"
#include "codec/grid_codec.h"
#include "io/video_reader.h"

namespace nerv {
namespace {

struct Clip {
  std::string path;
  std::vector<Frame> frames;
};

Clip read_clip(const std::string& path, int max_frames) {
  ReadOptions ro;
  ro.max_frames = max_frames;
  auto reader = open_video_reader(path, ro);
  Clip c{path, {}};
  Frame f;
  while (reader->read(f)) c.frames.push_back(f);
  return c;
}

// A crop of a 4:2:0 frame at even (x0, y0).
void crop_into(const Frame& src, int x0, int y0, int size, Frame& dst) {
  dst.resize(size, size, PixFmt::YUV420P);
  dst.matrix = src.matrix;
  dst.range = src.range;
  dst.index = src.index;
  for (int p = 0; p < 3; ++p) {
    int sx = p ? x0 / 2 : x0, sy = p ? y0 / 2 : y0;
    for (int y = 0; y < dst.plane_height(p); ++y)
      std::memcpy(
          dst.planes[size_t(p)].data() + size_t(y) * size_t(dst.plane_width(p)),
          src.planes[size_t(p)].data() + size_t(sy + y) * size_t(src.plane_width(p)) + size_t(sx),
          size_t(dst.plane_width(p)));
  }
}

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
  if (opt.data.empty()) throw Error("train-prior: no training clips");
  if (opt.crop < 16 || opt.crop % 2) throw Error("train-prior: --crop must be even and >= 16");
  const int F = opt.frames > 0 ? opt.frames : opt.cfg.segment_frames;
  std::vector<Clip> clips;
  for (const std::string& p : opt.data) {
    clips.push_back(read_clip(p, opt.clip_frames));
    const Clip& c = clips.back();
    if (int(c.frames.size()) < F || c.frames[0].width < opt.crop || c.frames[0].height < opt.crop)
      throw Error(p + ": too small for tasks of " + std::to_string(F) + " frames of " +
                  std::to_string(opt.crop) + "x" + std::to_string(opt.crop));
  }

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
    // The task: from (seed, step) alone.
    std::mt19937_64 rng(opt.seed * 0x9E3779B97F4A7C15ull + uint64_t(step));
    const Clip& c = clips[rng() % clips.size()];
    const Frame& f0 = c.frames[0];
    size_t t_first = rng() % (c.frames.size() - size_t(F) + 1);
    int x0 = 2 * int(rng() % uint64_t((f0.width - opt.crop) / 2 + 1));
    int y0 = 2 * int(rng() % uint64_t((f0.height - opt.crop) / 2 + 1));
    for (int t = 0; t < F; ++t)
      crop_into(c.frames[t_first + size_t(t)], x0, y0, opt.crop, frames[size_t(t)]);
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
