// nervc compare INPUT... --out DIR: rate-distortion of nervc against an anchor codec (x265).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "app/commands.h"
#include "app/compute_options.h"
#include "app/progress.h"
#include "base/error.h"
#include "eval/bd_table.h"
#include "eval/compare.h"
#include "eval/image_anchor.h"
#include "eval/image_compare.h"

namespace nerv::app {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// One line per point on stderr, the fitting progress of nervc points in between.
std::function<void(const CompareEvent&)> progress_printer(bool quiet, const std::string& what,
                                                          torch::Device device, int threads,
                                                          bool rgb) {
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<EncodeProgress> fit;
  bool announced = false;
  return [=](const CompareEvent& e) mutable {
    if (quiet) return;
    std::string where =
        "[" + std::to_string(e.point + 1) + "/" + std::to_string(e.points) + "] " +
        (e.rd ? e.rd->sequence + " " + e.rd->codec + " " + e.rd->setting : std::string());
    switch (e.kind) {
      case CompareEvent::Loaded:
        if (!announced)
          std::fprintf(stderr, "nervc: compare %s on %s (%d threads)\n", what.c_str(),
                       device.str().c_str(), threads);
        announced = true;
        std::fprintf(stderr, "nervc: %s\n", e.message.c_str());
        break;
      case CompareEvent::Skipped:
        std::fprintf(stderr, "%s: done before (--resume)\n", where.c_str());
        break;
      case CompareEvent::PointStart:
        std::fprintf(stderr, "%s ...\n", where.c_str());
        fit = e.train ? std::make_shared<EncodeProgress>(*e.train, false) : nullptr;
        break;
      case CompareEvent::Encode:
        if (fit) (*fit)(*e.encode);
        break;
      case CompareEvent::PointDone: {
        double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const RdPoint& p = *e.rd;
        if (p.ok())
          std::fprintf(stderr,
                       "%s: %llu bytes, %.4f bpp, %s %.2f dB, %s %.4f, encode %s, "
                       "decode %.1f fps | elapsed %s, ETA %s\n",
                       where.c_str(), (unsigned long long)p.bytes, p.bpp,
                       rgb ? "RGB-PSNR" : "YUV-PSNR", rgb ? p.psnr_rgb : p.psnr_yuv,
                       p.ssim_kind == "ms-ssim" ? "MS-SSIM" : "SSIM", p.msssim,
                       format_duration(p.encode_s).c_str(), p.decode_fps,
                       format_duration(el).c_str(), format_duration(e.eta_s).c_str());
        else
          std::fprintf(stderr, "%s: %s | elapsed %s, ETA %s\n", where.c_str(), p.status.c_str(),
                       format_duration(el).c_str(), format_duration(e.eta_s).c_str());
        break;
      }
      case CompareEvent::Warning:
        std::fprintf(stderr, "nervc: warning: %s\n", e.message.c_str());
        break;
      case CompareEvent::Finished:
        std::fprintf(stderr, "nervc: wrote %s/{results.csv,results.json,rd_*.png,report.html}\n",
                     e.message.c_str());
        break;
    }
  };
}

struct CompareArgs {
  std::vector<std::string> inputs;
  std::vector<std::string> presets{"grid"};
  std::vector<double> lambdas;
  std::vector<int> qps;
  std::string anchor = "x265", anchor_preset, keyint = "auto", out;
  ComputeOptions compute;
  int epochs = 0;
  uint64_t seed = 0;
  bool resume = false, quiet = false, images = false, predict = false;
  std::vector<std::string> anchors;
  InputOptions in;
};

// compare --images: still images against the image anchors.
int run_images(const CompareArgs& a, bool presets_given) {
  ImageCompareOptions opt;
  opt.inputs = a.inputs;
  if (presets_given) opt.presets = a.presets;
  opt.lambdas = a.lambdas;
  opt.anchors = a.anchors;
  opt.epochs = a.epochs;
  opt.seed = a.seed;
  opt.device = a.compute.parsed_device();
  opt.out_dir = a.out;
  opt.resume = a.resume;
  opt.nervc_version = kNervcVersion;
  int threads = a.compute.apply();
  std::vector<RdPoint> points =
      run_image_compare(opt, progress_printer(a.quiet, "still images", opt.device, threads, true));
  size_t failed = 0;
  for (const RdPoint& p : points) failed += p.ok() ? 0 : 1;
  std::vector<std::string> anchors = a.anchors;
  if (anchors.empty())
    for (const ImageAnchor& x : image_anchors()) anchors.push_back(x.name);
  for (const std::string& anchor : anchors)
    for (const BdEntry& e : bd_entries(points, anchor, "nervc", kImageBdMetrics)) {
      if (e.sequence != "average") continue;
      const BdResult& r = e.rate_pchip;
      std::string v = r.value ? std::to_string(*r.value) + " %" : "n/a (" + r.reason + ")";
      std::printf("BD-rate %-8s vs %-16s PCHIP %s\n", e.metric.c_str(), anchor.c_str(), v.c_str());
    }
  std::fflush(stdout);
  if (failed)
    throw Error(std::to_string(failed) + " of " + std::to_string(points.size()) +
                " points failed (see results.csv)");
  return 0;
}

}  // namespace

Run add_compare(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "compare",
      "Rate-distortion comparison against H.265 (or another anchor): CSV, JSON, plots, "
      "HTML report");
  auto a = std::make_shared<CompareArgs>();
  cmd->add_option("INPUT", a->inputs,
                  "Source videos (files or URLs); with --images, images or folders")
      ->required();
  cmd->add_flag(
      "--images", a->images,
      "Still images in RGB against the image anchors (default preset 'image', "
      "lambdas " +
          [] {
            std::string s;
            for (double l : kDefaultImageLambdas)
              s += (s.empty() ? "" : ",") + [&] {
                char b[32];
                std::snprintf(b, sizeof b, "%g", l);
                return std::string(b);
              }();
            return s;
          }() +
          ")");
  cmd->add_option(
         "--anchors", a->anchors,
         "With --images: image anchors, comma-separated (default all: " +
             [] {
               std::string s;
               for (const ImageAnchor& x : image_anchors()) s += (s.empty() ? "" : ",") + x.name;
               return s;
             }() +
             ")")
      ->delimiter(',');
  cmd->add_option("--out", a->out, "Output directory")->required();
  cmd->add_option("--presets", a->presets, "nervc presets (or .json configs), comma-separated")
      ->delimiter(',')
      ->default_str("grid");
  cmd->add_option("--lambdas", a->lambdas,
                  "Rate-distortion trade-offs for rate-trained presets (grid), comma-separated; "
                  "one point each (default " +
                      default_lambdas_text() + ")")
      ->delimiter(',');
  cmd->add_option("--anchor", a->anchor, "Anchor codec: " + join(anchor_names()))
      ->default_str("x265");
  cmd->add_option("--anchor-preset,--x265-preset", a->anchor_preset,
                  "Anchor speed preset (x265/x264: medium, veryslow, ...; svtav1: 0-13)");
  cmd->add_option("--qps", a->qps, "Anchor QP ladder, comma-separated (default 22,27,32,37,42,47)")
      ->delimiter(',');
  cmd->add_option("--keyint", a->keyint,
                  "Anchor key-frame interval in frames; auto: nervc's intra period")
      ->default_str("auto");
  cmd->add_option("--epochs", a->epochs, "Override the presets' epochs")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", a->seed, "nervc random seed")->default_str("0");
  cmd->add_flag("--predict", a->predict,
                "nervc points start from the built-in predictor's prediction, as encode --predict");
  a->compute.add_to(*cmd, false);
  cmd->add_flag("--resume", a->resume, "Continue a comparison in DIR, skipping finished points");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress output");
  a->in.add_to(*cmd);
  return [a, cmd] {
    if (a->images && a->predict) throw Error("--predict applies to videos, not --images");
    if (a->images) return run_images(*a, cmd->count("--presets") > 0);
    if (!a->anchors.empty()) throw Error("--anchors applies to --images; videos take --anchor");
    CompareOptions opt;
    opt.inputs = a->inputs;
    opt.read = a->in.finish();
    opt.presets = a->presets;
    opt.lambdas = a->lambdas.empty() ? kDefaultLambdas : a->lambdas;
    opt.epochs = a->epochs;
    opt.predict = a->predict;
    opt.seed = a->seed;
    opt.device = a->compute.parsed_device();
    opt.anchor = a->anchor;
    opt.anchor_settings.preset = a->anchor_preset;
    opt.anchor_settings.keyint = 0;
    if (a->keyint != "auto") {
      char* end = nullptr;
      long k = std::strtol(a->keyint.c_str(), &end, 10);
      if (a->keyint.empty() || *end || k < 1 || k > 100000)
        throw Error("--keyint: expected 'auto' or a positive number of frames, got '" + a->keyint +
                    "'");
      opt.anchor_settings.keyint = int(k);
    }
    opt.qps = a->qps;
    opt.out_dir = a->out;
    opt.resume = a->resume;
    opt.nervc_version = kNervcVersion;
    int threads = a->compute.apply();
    auto on_event = progress_printer(a->quiet, "against " + a->anchor, opt.device, threads, false);
    std::vector<RdPoint> points = run_compare(opt, on_event);
    size_t failed = 0;
    for (const RdPoint& p : points) failed += p.ok() ? 0 : 1;
    for (const BdEntry& e : bd_entries(points, a->anchor, "nervc")) {
      if (e.metric != "psnr_yuv" && e.sequence != "average") continue;
      const BdResult& r = e.rate_pchip;
      std::string v = r.value ? std::to_string(*r.value) + " %" : "n/a (" + r.reason + ")";
      std::printf("BD-rate %-8s %-10s PCHIP %s\n", e.metric.c_str(), e.sequence.c_str(), v.c_str());
    }
    std::fflush(stdout);
    if (failed)
      throw Error(std::to_string(failed) + " of " + std::to_string(points.size()) +
                  " points failed (see results.csv)");
    return 0;
  };
}

}  // namespace nerv::app
