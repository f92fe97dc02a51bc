// nervc train-prior --data CLIP_OR_DIR... --out prior.bin: learn a grid prior (codec/prior_train.h)
// and write it with a manifest (prior.bin.json: data, command, steps, time, hash). Resumable:
// a checkpoint every few steps (OUT.partial: the prior so far, its step and settings in its
// notes, one file written at once) that --resume continues from.
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
#include "codec/prior_train.h"
#include "io/temp_output.h"

namespace nerv::app {

Run add_train_prior(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train-prior",
      "Learn a prior of the grid family across training clips (Reptile), for encode --prior");
  struct Args {
    TrainInputs in;
    std::string out, name, learn = "all";
    PriorTrainOptions o;
    ComputeOptions compute;
    bool resume = false, quiet = false;
  };
  auto a = std::make_shared<Args>();
  a->in.add_to(*cmd);
  cmd->add_option("-o,--out", a->out, "The prior file to write")->required();
  cmd->add_option("--name", a->name, "The prior's name (default: the preset's)");
  cmd->add_option("--steps", a->o.steps, "Outer steps (tasks)")
      ->default_str("200")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--inner", a->o.inner, "Fitting steps per task")
      ->default_str("30")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--outer-lr", a->o.outer_lr, "Reptile step (decays linearly to a tenth)")
      ->default_str("1")
      ->check(CLI::Range(1e-6, 1.0));
  cmd->add_option("--learn", a->learn,
                  "What the prior learns: all (synthesis and context model) or arm (the context "
                  "model; the synthesis stays at its random start)")
      ->check(CLI::IsMember({"all", "arm"}))
      ->default_str("all");
  cmd->add_option("--seed", a->o.seed, "Random seed (same data, settings and seed: same prior)")
      ->default_str("0");
  a->compute.add_to(*cmd, false);
  cmd->add_flag("--resume", a->resume, "Continue from the checkpoint of an interrupted run");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress output");
  return [a, cmd] {
    PriorTrainOptions o = a->o;
    std::vector<std::string> dev;
    o.cfg = a->in.resolve(*cmd, "train-prior", "prior", o.data, dev);
    o.crop = a->in.crop;
    o.frames = a->in.frames;
    o.clip_frames = a->in.clip_frames;
    o.augment = a->in.augment;
    o.name = a->name.empty() ? o.cfg.name : a->name;
    o.arm_only = a->learn == "arm";
    o.device = a->compute.parsed_device();
    int threads = a->compute.apply();

    // Everything the prior depends on besides the clips' contents: a checkpoint continues only
    // under the same.
    std::ostringstream command;
    command << "nervc train-prior --data" << joined(o.data) << " -o " << a->out << a->in.source()
            << " --name " << o.name << " --steps " << o.steps << " --inner " << o.inner
            << " --crop " << o.crop << " --frames " << (o.frames ? o.frames : o.cfg.segment_frames)
            << " --clip-frames " << o.clip_frames << " --outer-lr " << o.outer_lr << " --learn "
            << a->learn << " --seed " << o.seed << " --threads " << threads << " --device "
            << o.device.str();
    if (!dev.empty()) command << " --dev" << joined(dev);
    nlohmann::json fingerprint = {{"command", command.str()}, {"config", config_json(o.cfg)}};

    const std::string partial = a->out + ".partial";
    std::unique_ptr<GridPrior> start;
    int start_step = 0;
    if (a->resume && access(partial.c_str(), F_OK) == 0) {
      start = std::make_unique<GridPrior>(load_prior(partial));
      if (start->notes.value("fingerprint", nlohmann::json()) != fingerprint)
        throw Error(partial + ": the interrupted run had other settings (start without --resume)");
      start_step = start->notes.value("step", 0);
      if (!a->quiet) std::fprintf(stderr, "nervc: resuming at step %d\n", start_step);
    }
    if (!a->quiet)
      std::fprintf(stderr,
                   "nervc: train-prior %s: %zu clips, %d steps of %d inner steps, %dx%d crops of "
                   "%d frames, on %s (%d threads)\n",
                   o.name.c_str(), o.data.size(), o.steps, o.inner, o.crop, o.crop,
                   o.frames ? o.frames : o.cfg.segment_frames, o.device.str().c_str(), threads);

    TrainTicker ticker(a->quiet, start_step);
    auto progress = [&](const PriorTrainProgress& p) {
      std::string times;
      if (!ticker.due(p.step, p.steps, times)) return;
      std::fprintf(stderr, "%sstep %d/%d  task PSNR %.2f dB  mean of 20 %.2f dB  %s%s",
                   ticker.lead(), p.step, p.steps, p.task_psnr, p.mean_psnr, times.c_str(),
                   ticker.end());
    };
    auto checkpoint = [&](GridPrior& p, int step) {
      GridPrior c = p;
      c.notes = {{"step", step}, {"fingerprint", fingerprint}};
      save_prior(partial, c);
    };
    PriorTrainReport rep;
    GridPrior prior = train_prior(o, start.get(), start_step, progress, checkpoint, &rep);
    ticker.finish();

    prior.notes = {{"command", command.str()}};
    save_prior(a->out, prior);
    nlohmann::json manifest = run_manifest({o.data, dev, command.str(), o.device.str(), o.steps,
                                            rep.resumed_from, threads, rep.seconds});
    manifest.update({{"prior", prior_id(prior)},
                     {"name", prior.name},
                     {"hash", prior_id(prior).substr(prior.name.size() + 1)},
                     {"model", prior.model},
                     {"preset", o.cfg.name},
                     {"augment", o.augment},
                     {"task_psnr_first_20_steps", rep.first_psnr},
                     {"task_psnr_last_20_steps", rep.last_psnr}});
    write_file(a->out + ".json", manifest.dump(2) + "\n");
    std::remove(partial.c_str());
    if (!a->quiet)
      std::fprintf(stderr,
                   "nervc: wrote %s (%s): task PSNR after %d steps %.2f dB in the first 20 tasks, "
                   "%.2f dB in the last 20; %s\n",
                   a->out.c_str(), prior_id(prior).c_str(), o.inner, rep.first_psnr, rep.last_psnr,
                   format_duration(rep.seconds).c_str());
    return 0;
  };
}

}  // namespace nerv::app
