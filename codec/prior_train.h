// Learning a grid prior across many segments (nervc train-prior), by Reptile (Nichol et al.
// 2018): each outer step fits a fresh task (a random crop of a random training clip, a
// segment's worth of frames, latents from zero) for a few dozen steps starting from the prior,
// then moves the prior part of the way towards the fitted weights. Each step draws its task
// from (seed, step) alone, so a resumed run continues exactly as an uninterrupted one.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "codec/config.h"
#include "codec/grid_prior.h"

namespace nerv {

struct PriorTrainOptions {
  std::string name = "prior";
  CodecConfig cfg;                // the model, and the fit recipe of the inner loop
  std::vector<std::string> data;  // training clips
  int steps = 200;                // outer steps
  int inner = 30;                 // fitting steps per task
  int crop = 128;                 // square crops, luma pixels (even)
  int frames = 0;                 // frames per task; 0: the config's segment_frames
  int clip_frames = 96;           // frames read from the start of each clip
  bool augment = false;           // tasks mirrored and reversed at random (train_clips.h)
  double outer_lr = 1.0;          // Reptile's step, decaying linearly to 0.1 of it
  // Only the context model learns; the synthesis stays at the seed's random start (what an
  // encode without a prior starts from).
  bool arm_only = false;
  uint64_t seed = 0;
  torch::Device device = torch::kCPU;
  int checkpoint_every = 10;  // outer steps between checkpoints (resumable runs)
};

struct PriorTrainProgress {
  int step, steps;   // outer steps done, of
  double task_psnr;  // the last task's YUV-PSNR after its inner fit
  double mean_psnr;  // over the last 20 tasks
  std::string clip;  // the last task's clip
};

struct PriorTrainReport {
  double first_psnr = 0, last_psnr = 0;  // mean task PSNR over the first and last 20 steps
  double seconds = 0;
  int resumed_from = 0;
};

// Trains from `start` (a random model when start is null, or a checkpoint at `start_step`).
// `checkpoint(prior, step)` runs every checkpoint_every steps and at the end; `progress` after
// every step. Throws nerv::Error for unreadable clips or clips smaller than the crop.
GridPrior train_prior(const PriorTrainOptions& opt, const GridPrior* start, int start_step,
                      const std::function<void(const PriorTrainProgress&)>& progress,
                      const std::function<void(GridPrior&, int)>& checkpoint,
                      PriorTrainReport* report);

}  // namespace nerv
