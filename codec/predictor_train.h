// Training the latent predictor (nervc train-hyper): an amortised encoder. Each step draws a
// task (a random crop of a segment's worth of frames of a training clip, train_clips.h), the
// predictor maps it to latents, and the loss is what an encode would pay for them at once:
// distortion of the synthesis' frames + lambda * the latents' bits under the context model,
// with the latents noisy (the preset's rounding proxy) and, over the last tenth of the steps,
// hard-rounded straight through (what --refine 0 codes). The synthesis and context model learn
// with it (a new prior) or stay a given prior's (--freeze-prior).
//
// Temporal coherence (pairs): a task is two consecutive segments of the same crop, both
// predicted; the second one's bits are counted as a residual segment codes them (its levels
// see the first one's last latent frames, when the model chains context), and the loss adds
// `coherence` x the mean squared change between the two predicted latent grids, so that
// consecutive segments get similar, cheaply coded representations.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "codec/config.h"
#include "codec/grid_predictor.h"
#include "codec/grid_prior.h"
#include "codec/tensor_file.h"

namespace nerv {

struct PredictorTrainOptions {
  std::string name = "hyper";
  CodecConfig cfg;                // the model, lambda and rounding proxy
  std::vector<std::string> data;  // training clips
  int steps = 2000;
  int crop = 128;  // square crops, luma pixels (even)
  int frames = 0;  // frames per task; 0: the config's segment_frames
  int clip_frames = 96;
  bool augment = false;  // tasks mirrored and reversed at random (train_clips.h)
  int channels = 24;     // the predictor's width
  int depth = 2;         // and its trunk's convolutions
  double lr = 2e-3;      // Adam, warm-up over 2 % of the steps, then a cosine to a tenth
  bool freeze_prior = false;
  bool pairs = false;                   // tasks of two consecutive segments (above)
  double coherence = 0;                 // with pairs: weight of the latents' mean squared change
  const GridPredictor* from = nullptr;  // start the predictor here (null: the seed's random one)
  uint64_t seed = 0;
  torch::Device device = torch::kCPU;
  int checkpoint_every = 50;
};

struct PredictorTrainProgress {
  int step, steps;
  double task_psnr, task_bpp;  // the last task's, as predicted (before any refinement)
  double mean_psnr, mean_bpp;  // over the last 20 tasks
  std::string clip;
  double task_change = 0;  // with pairs: the latents' mean squared change between the two
};

struct PredictorTrainReport {
  double first_psnr = 0, first_bpp = 0, last_psnr = 0, last_bpp = 0;  // means of 20 tasks
  double seconds = 0;
  int resumed_from = 0;
};

struct TrainedPredictor {
  GridPrior prior;  // the synthesis and context model the predictions are for
  GridPredictor predictor;
};

// `start`: the prior to start from (null: the seed's random model); with freeze_prior it is
// kept; opt.from must be a predictor for it. `resume`: a checkpoint (or null). `checkpoint(file,
// step)` every checkpoint_every steps and at the end; `progress` after every step. Throws
// nerv::Error for bad clips or a checkpoint of another run.
TrainedPredictor train_predictor(const PredictorTrainOptions& opt, const GridPrior* start,
                                 const TensorFile* resume,
                                 const std::function<void(const PredictorTrainProgress&)>& progress,
                                 const std::function<void(const TensorFile&, int)>& checkpoint,
                                 PredictorTrainReport* report);

// The checkpoint's kind (a tensor file: predictor, synthesis and context model, Adam's state).
extern const TensorFileKind kPredictorCheckpoint;

}  // namespace nerv
