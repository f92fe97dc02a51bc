// nervc encode INPUT -o OUT.nerv: fit, quantise and entropy-code the video segment by segment.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/compute_options.h"
#include "app/progress.h"
#include "app/report_json.h"
#include "base/error.h"
#include "codec/encoder.h"
#include "codec/prior_registry.h"
#include "codec/stream_parts.h"
#include "io/temp_output.h"
#include "models/graphed_step.h"

namespace nerv::app {
namespace {

// What reading a still image as 8-bit RGB (or grey) changes, said once.
void warn_image_conversion(const VideoInfo& info, const std::string& input) {
  auto warn = [&](const std::string& m) {
    std::fprintf(stderr, "nervc: warning: %s: %s\n", input.c_str(), m.c_str());
  };
  if (info.frames > 1 || !is_still_image(info)) warn("coding its first frame only");
  if (info.src_alpha) warn("the alpha channel of " + info.src_pix_fmt + " is dropped");
  if (info.src_bits > 8)
    warn(std::to_string(info.src_bits) + "-bit samples (" + info.src_pix_fmt +
         ") are rounded to 8 bits");
}

// "A:B" or "I/N" as two unsigned 32-bit numbers.
void parse_pair(const std::string& s, char sep, const char* option, uint32_t& a, uint32_t& b) {
  size_t at = s.find(sep);
  auto num = [&](const std::string& t) {
    if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos)
      throw Error(std::string(option) + " " + s + ": expected two numbers as in " +
                  (sep == ':' ? "0:4" : "0/3"));
    return uint32_t(std::stoul(t));
  };
  if (at == std::string::npos) num("");
  a = num(s.substr(0, at));
  b = num(s.substr(at + 1));
}

}  // namespace

Run add_encode(CLI::App& app) {
  auto* cmd = app.add_subcommand("encode", "Encode a video (or still image) into a .nerv stream");
  struct Args {
    std::string input, output = "", preset = "grid", config, report, prior, predictor, chains,
                       shard;
    InputOptions in;
    int segment_frames = 0, intra_period = 0, epochs = 0, batch_size = 0, refine = -1;
    double lambda = -1;
    ComputeOptions compute;
    uint64_t seed = 0;
    int64_t max_pixels = int64_t(1) << 24;
    bool quiet = false, resume = false, image = false, warm_intra = false, predict = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("INPUT", a->input, "Video file, '-' for stdin, or URL")->required();
  cmd->add_option("-o,--output", a->output, "Output .nerv file, or '-' for stdout")->required();
  cmd->add_option(
         "--preset", a->preset,
         "Preset: " +
             [] {
               std::string s;
               for (const auto& n : preset_names()) s += (s.empty() ? "" : ", ") + n;
               return s;
             }())
      ->default_str("grid");
  cmd->add_option("--config", a->config, "JSON config file (instead of a preset)");
  cmd->add_option("--prior", a->prior,
                  "Start every intra segment's fit from this prior (nervc train-prior; grid "
                  "presets; the stream does not depend on it)");
  cmd->add_flag("--predict", a->predict,
                "Start every segment's latents from the prediction of the built-in predictor "
                "trained nearest --lambda (nervc train-hyper; grid preset), fitted from its prior");
  cmd->add_option("--predictor", a->predictor,
                  "As --predict, with this predictor file (its prior must be built in or given "
                  "with --prior)");
  cmd->add_option("--refine", a->refine,
                  "With --predict: fit every segment for K steps after the prediction (0: code "
                  "the prediction as it is; default: the preset's full fit)")
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--image", a->image,
                "Code the input's first frame as a still image (RGB 4:4:4; default preset "
                "'image'); still images (PNG, JPEG, ...) are detected without it");
  cmd->add_option("--segment-frames", a->segment_frames, "Frames per segment (preset default)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--intra-period", a->intra_period,
                  "Code every K-th segment standalone (preset default)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--chains", a->chains,
                  "Encode only intra chains A (inclusive) to B (exclusive) of the input, as a "
                  "part stream for nervc concat (a chain: an intra segment and the residual "
                  "segments after it)")
      ->type_name("A:B");
  cmd->add_option("--shard", a->shard,
                  "Encode shard I of N (0 <= I < N): the I-th of N even, contiguous ranges of "
                  "chains, as a part stream for nervc concat")
      ->type_name("I/N")
      ->excludes("--chains");
  cmd->add_flag("--warm-intra", a->warm_intra,
                "Start each intra segment's fit from the previous segment's weights, with the "
                "preset's warm_epochs (faster, but chains then depend on each other: no "
                "--chains or --shard)")
      ->excludes("--chains")
      ->excludes("--shard");
  cmd->add_option("--seed", a->seed, "Random seed (same input, config and seed: same bytes)")
      ->default_str("0");
  a->compute.add_to(*cmd, false);
  cmd->add_option("--epochs", a->epochs,
                  "Override the preset's epochs (later segments and QAT scale with it)")
      ->check(CLI::Range(1, 100000))
      ->excludes("--refine");
  cmd->add_option("--batch-size", a->batch_size,
                  "Frames per training step (preset default; changes the optimisation, not the "
                  "format)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--lambda", a->lambda,
                  "Rate-distortion trade-off of rate-trained presets (grid): loss = MSE + lambda * "
                  "bits per pixel; larger is smaller and worse")
      ->check(CLI::Range(1e-6, 10.0));
  cmd->add_flag("--resume", a->resume,
                "Continue an interrupted encode of the same input and settings into -o "
                "(its OUT.partial and OUT.partial.state); the result is the stream an "
                "uninterrupted encode writes");
  cmd->add_option("--max-pixels", a->max_pixels,
                  "Refuse frames larger than this many pixels (fitting takes about 0.6 kB per "
                  "pixel; 0: no limit)")
      ->default_str("16777216")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--report", a->report, "Write a JSON report (metrics, per-segment sizes)");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress output");
  a->in.add_to(*cmd);
  return [a, cmd] {
    EncodeOptions opt;
    if (!a->config.empty() && cmd->count("--preset"))
      throw Error("--preset and --config are mutually exclusive");
    ReadOptions ro = a->in.finish();
    if (a->image) ro.max_frames = 1;
    auto reader = open_video_reader(a->input, ro);
    const VideoInfo& info = reader->info();
    const bool image = a->image || is_still_image(info);
    if (image) {
      reader->set_out_fmt(still_image_format(info));
      if (!a->quiet) warn_image_conversion(info, a->input);
    }
    std::string preset = image && !cmd->count("--preset") ? "image" : a->preset;
    opt.cfg = a->config.empty() ? load_preset(preset) : load_config_file(a->config);
    if (a->segment_frames) opt.cfg.segment_frames = a->segment_frames;
    if (a->intra_period) opt.cfg.intra_period = a->intra_period;
    if (!a->prior.empty()) opt.prior = std::make_shared<GridPrior>(load_prior(a->prior));
    if (a->lambda > 0) set_lambda(opt.cfg, a->lambda);
    if (!a->predictor.empty()) {
      opt.predictor = std::make_shared<GridPredictor>(load_predictor(a->predictor));
    } else if (a->predict) {  // the one trained nearest this lambda, and its prior
      Prediction p = builtin_prediction(opt.cfg);
      opt.predictor = p.predictor;
      if (!opt.prior) opt.prior = p.prior;
    }
    if (opt.predictor && !opt.prior) {  // the prior it predicts for, built in or known
      opt.prior = find_prior(opt.predictor->prior);
      if (!opt.prior)
        throw Error("predictor " + predictor_id(*opt.predictor) + " needs prior " +
                    opt.predictor->prior + ": give it with --prior FILE");
    }
    if (a->refine >= 0) {
      if (!opt.predictor) throw Error("--refine needs --predict or --predictor");
      refine_steps(opt.cfg.train, a->refine);
    }
    opt.seed = a->seed;
    opt.max_pixels = a->max_pixels;
    opt.resume = a->resume;
    if (a->epochs) override_epochs(opt.cfg.train, a->epochs);
    if (a->batch_size) opt.cfg.train.batch_size = a->batch_size;
    if (opt.prior) check_prior_config(*opt.prior, opt.cfg);
    if (opt.predictor) check_predictor(*opt.predictor, opt.prior.get(), opt.cfg);
    opt.device = a->compute.parsed_device();
    int threads = a->compute.apply();
    opt.expected_frames = image ? 1 : expected_frames(info, ro);
    opt.warm_intra = a->warm_intra;
    if (!a->chains.empty() || !a->shard.empty()) {
      uint32_t chains = segmentation(opt.cfg, opt.expected_frames).chains;
      if (opt.expected_frames <= 0)
        throw Error(a->input +
                    ": --chains and --shard need the input's frame count, which its "
                    "container does not give");
      if (!a->chains.empty())
        parse_pair(a->chains, ':', "--chains", opt.chains_begin, opt.chains_end);
      else {
        uint32_t i = 0, n = 0;
        parse_pair(a->shard, '/', "--shard", i, n);
        shard_chains(i, n, chains, opt.chains_begin, opt.chains_end);
      }
    }
    if (!a->quiet)
      std::fprintf(stderr,
                   "nervc: %s, %dx%d%s, preset %s%s%s, %d frames/segment, intra every %d, on %s "
                   "(%d threads)\n",
                   a->input.c_str(), info.width, info.height,
                   !image          ? ""
                   : info.src_grey ? " still image (gray)"
                                   : " still image (rgb)",
                   opt.cfg.name.c_str(),
                   opt.prior ? (" from prior " + prior_id(*opt.prior)).c_str() : "",
                   opt.predictor ? (", predicted by " + predictor_id(*opt.predictor)).c_str() : "",
                   opt.cfg.segment_frames, opt.cfg.intra_period, opt.device.str().c_str(), threads);
    if (!a->quiet && opt.chains_end)
      std::fprintf(stderr, "nervc: part stream: chains %u:%u of %u\n", opt.chains_begin,
                   opt.chains_end, segmentation(opt.cfg, opt.expected_frames).chains);
    EncodeProgress progress(opt.cfg.train, a->quiet);
    EncodeReport r = encode_video(*reader, a->output, opt, std::ref(progress));
    const MetricsSummary& m = r.metrics;
    if (!a->quiet && r.resumed_segments)
      std::fprintf(stderr, "nervc: resumed: %u segments came from the interrupted encode\n",
                   r.resumed_segments);
    if (!a->quiet && image) {
      std::fprintf(stderr,
                   "nervc: %dx%d image, %llu bytes, %.4f bpp; RGB-PSNR %.2f dB, MS-SSIM (RGB) "
                   "%.4f, YUV-PSNR %.2f dB; encoded in %s\n",
                   r.width, r.height, (unsigned long long)r.bytes, r.bpp(), m.mean.psnr_rgb,
                   m.mean.ssim, m.mean.psnr_yuv, format_duration(r.seconds).c_str());
    } else if (!a->quiet) {
      std::fprintf(stderr,
                   "nervc: %llu frames, %llu bytes, %.4f bpp, %.1f kbps; YUV-PSNR %.2f dB, "
                   "Y %.2f dB, RGB %.2f dB, %s %.4f; encoded in %s\n",
                   (unsigned long long)r.frames, (unsigned long long)r.bytes, r.bpp(), r.kbps(),
                   m.mean.psnr_yuv, m.mean.psnr_y, m.mean.psnr_rgb,
                   m.ssim_kind == "ms-ssim" ? "MS-SSIM" : "SSIM", m.mean.ssim,
                   format_duration(r.seconds).c_str());
    }
    if (!a->report.empty()) {
      nlohmann::json j = encode_report_json(r, opt.cfg, a->input, a->output, opt.seed, threads);
      j["cuda_graphs_recorded"] = cuda_graphs_recorded();
      write_file(a->report, j.dump(2) + "\n");
    }
    return 0;
  };
}

}  // namespace nerv::app
