// nervc train-hyper --data CLIP_OR_DIR... -o NAME.predictor: train the latent predictor
// (codec/predictor_train.h) with the synthesis and context model it predicts for, and write
// NAME.predictor, NAME.prior (unless --freeze-prior keeps the given one) and a manifest
// NAME.predictor.json (data, command, steps, time, ids). Resumable: a checkpoint every few
// steps (OUT.partial, one file written at once, its settings in its header) that --resume
// continues from.
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands.h"
#include "app/compute_options.h"
#include "app/progress.h"
#include "app/train_common.h"
#include "base/error.h"
#include "codec/config.h"
#include "codec/predictor_train.h"
#include "io/temp_output.h"

namespace nerv::app {
namespace {

// OUT without ".predictor", then ".prior".
std::string prior_path(const std::string& out) {
  const std::string ext = ".predictor";
  bool has = out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0;
  return (has ? out.substr(0, out.size() - ext.size()) : out) + ".prior";
}

}  // namespace

Run add_train_hyper(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train-hyper",
      "Train a latent predictor (and the prior it predicts for) across training clips, for "
      "encode --predict");
  struct Args {
    TrainInputs in;
    std::string out, name, prior, from;
    PredictorTrainOptions o;
    ComputeOptions compute;
    bool resume = false, quiet = false;
  };
  auto a = std::make_shared<Args>();
  a->in.add_to(*cmd);
  cmd->add_option("-o,--out", a->out, "The predictor file to write (NAME.predictor)")->required();
  cmd->add_option("--name", a->name,
                  "The predictor's (and its prior's) name (default: the preset's)");
  cmd->add_option("--prior", a->prior,
                  "Start the synthesis and context model from this prior (default: random)");
  cmd->add_flag("--freeze-prior", a->o.freeze_prior,
                "Keep --prior's synthesis and context model: train the predictor alone");
  cmd->add_option("--from", a->from,
                  "Start the predictor from this one (a predictor for --prior; default: random)");
  cmd->add_flag("--pairs", a->o.pairs,
                "Train on pairs of consecutive segments, the second coded as a residual segment");
  cmd->add_option("--coherence", a->o.coherence,
                  "With --pairs: weight of the predicted latents' mean squared change")
      ->default_str("0")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--steps", a->o.steps, "Training steps (one task each)")
      ->default_str("2000")
      ->check(CLI::Range(1, 10000000));
  cmd->add_option("--channels", a->o.channels, "The predictor's width")
      ->default_str("24")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--depth", a->o.depth, "The predictor's trunk: 3x3 convolutions, 2 or more")
      ->default_str("2")
      ->check(CLI::Range(2, 16));
  cmd->add_option("--lr", a->o.lr, "Adam's learning rate (warm-up, then a cosine to a tenth)")
      ->default_str("0.002")
      ->check(CLI::Range(1e-7, 1.0));
  cmd->add_option("--seed", a->o.seed, "Random seed (same data, settings and seed: same files)")
      ->default_str("0");
  a->compute.add_to(*cmd, false);
  cmd->add_flag("--resume", a->resume, "Continue from the checkpoint of an interrupted run");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress output");
  return [a, cmd] {
    PredictorTrainOptions o = a->o;
    std::vector<std::string> dev;
    o.cfg = a->in.resolve(*cmd, "train-hyper", "predictor", o.data, dev);
    o.crop = a->in.crop;
    o.frames = a->in.frames;
    o.clip_frames = a->in.clip_frames;
    o.augment = a->in.augment;
    if (o.freeze_prior && a->prior.empty()) throw Error("--freeze-prior needs --prior");
    o.name = a->name.empty() ? o.cfg.name : a->name;
    if (o.coherence > 0 && !o.pairs) throw Error("--coherence needs --pairs");
    if (!a->from.empty() && a->prior.empty()) throw Error("--from needs --prior");
    std::unique_ptr<GridPrior> start;
    if (!a->prior.empty()) {
      start = std::make_unique<GridPrior>(load_prior(a->prior));
      check_prior_config(*start, o.cfg);
    }
    std::unique_ptr<GridPredictor> from;
    if (!a->from.empty()) {
      from = std::make_unique<GridPredictor>(load_predictor(a->from));
      check_predictor(*from, start.get(), o.cfg);
      o.from = from.get();
      if (cmd->count("--channels") == 0) o.channels = from->channels;
      if (cmd->count("--depth") == 0) o.depth = from->depth;
    }
    o.device = a->compute.parsed_device();
    int threads = a->compute.apply();

    std::ostringstream command;
    command << "nervc train-hyper --data" << joined(o.data) << " -o " << a->out << a->in.source()
            << " --name " << o.name << " --steps " << o.steps << " --crop " << o.crop
            << " --frames " << (o.frames ? o.frames : o.cfg.segment_frames) << " --clip-frames "
            << o.clip_frames << " --channels " << o.channels;
    if (o.depth != 2) command << " --depth " << o.depth;
    command << " --lr " << o.lr << " --seed " << o.seed << " --threads " << threads << " --device "
            << o.device.str();
    if (start)
      command << " --prior " << prior_id(*start) << (o.freeze_prior ? " --freeze-prior" : "");
    if (from) command << " --from " << predictor_id(*from);
    if (o.pairs) command << " --pairs --coherence " << o.coherence;
    if (!dev.empty()) command << " --dev" << joined(dev);
    nlohmann::json fingerprint = {{"command", command.str()}, {"config", config_json(o.cfg)}};

    const std::string partial = a->out + ".partial";
    std::unique_ptr<TensorFile> resume;
    if (a->resume && access(partial.c_str(), F_OK) == 0) {
      resume = std::make_unique<TensorFile>(load_tensor_file(partial, kPredictorCheckpoint));
      if (resume->meta.value("fingerprint", nlohmann::json()) != fingerprint)
        throw Error(partial + ": the interrupted run had other settings (start without --resume)");
      if (!a->quiet)
        std::fprintf(stderr, "nervc: resuming at step %d\n", resume->meta.value("step", 0));
    }
    if (!a->quiet)
      std::fprintf(stderr,
                   "nervc: train-hyper %s: %zu clips, %d steps, %dx%d crops of %d frames, "
                   "lambda %g, on %s (%d threads)\n",
                   o.name.c_str(), o.data.size(), o.steps, o.crop, o.crop,
                   o.frames ? o.frames : o.cfg.segment_frames, o.cfg.train.lambda,
                   o.device.str().c_str(), threads);

    const int start_step = resume ? resume->meta.value("step", 0) : 0;
    TrainTicker ticker(a->quiet, start_step);
    auto progress = [&](const PredictorTrainProgress& p) {
      std::string times;
      if (!ticker.due(p.step, p.steps, times)) return;
      char change[48] = "";
      if (o.pairs) std::snprintf(change, sizeof change, "change %.4f  ", p.task_change);
      std::fprintf(stderr,
                   "%sstep %d/%d  predicted: %.2f dB %.4f bpp (mean of 20: %.2f dB %.4f bpp)  "
                   "%s%s%s",
                   ticker.lead(), p.step, p.steps, p.task_psnr, p.task_bpp, p.mean_psnr, p.mean_bpp,
                   change, times.c_str(), ticker.end());
    };
    auto checkpoint = [&](const TensorFile& f, int) {
      TensorFile c = f;
      c.meta["fingerprint"] = fingerprint;
      save_tensor_file(partial, kPredictorCheckpoint, c);
    };
    PredictorTrainReport rep;
    TrainedPredictor t = train_predictor(o, start.get(), resume.get(), progress, checkpoint, &rep);
    ticker.finish();

    const std::string prior_out = prior_path(a->out);
    if (!o.freeze_prior) {
      t.prior.notes = {{"command", command.str()}, {"made with", "train-hyper"}};
      save_prior(prior_out, t.prior);
    }
    t.predictor.notes = {{"command", command.str()}};
    save_predictor(a->out, t.predictor);
    nlohmann::json manifest = run_manifest({o.data, dev, command.str(), o.device.str(), o.steps,
                                            rep.resumed_from, threads, rep.seconds});
    manifest.update({{"predictor", predictor_id(t.predictor)},
                     {"prior", prior_id(t.prior)},
                     {"prior_file", o.freeze_prior ? a->prior : prior_out},
                     {"name", o.name},
                     {"model", o.cfg.model},
                     {"preset", o.cfg.name},
                     {"lambda", o.cfg.train.lambda},
                     {"augment", o.augment},
                     {"pairs", o.pairs},
                     {"coherence", o.coherence},
                     {"from", from ? predictor_id(*from) : ""},
                     {"predicted_psnr_first_20_steps", rep.first_psnr},
                     {"predicted_bpp_first_20_steps", rep.first_bpp},
                     {"predicted_psnr_last_20_steps", rep.last_psnr},
                     {"predicted_bpp_last_20_steps", rep.last_bpp}});
    write_file(a->out + ".json", manifest.dump(2) + "\n");
    std::remove(partial.c_str());
    if (!a->quiet)
      std::fprintf(stderr,
                   "nervc: wrote %s (%s) for prior %s: predicted %.2f dB %.4f bpp in the first "
                   "20 tasks, %.2f dB %.4f bpp in the last 20; %s\n",
                   a->out.c_str(), predictor_id(t.predictor).c_str(), prior_id(t.prior).c_str(),
                   rep.first_psnr, rep.first_bpp, rep.last_psnr, rep.last_bpp,
                   format_duration(rep.seconds).c_str());
    return 0;
  };
}

}  // namespace nerv::app
