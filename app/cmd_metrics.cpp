// nervc metrics REF DIST: quality of DIST against REF, frames paired by index.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/report_json.h"
#include "base/error.h"
#include "io/metrics.h"

namespace nerv::app {
namespace {

int64_t count_rest(VideoReader& r, Frame& f) {
  int64_t n = 0;
  while (r.read(f)) ++n;
  return n;
}

}  // namespace

Run add_metrics(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "metrics", "PSNR (Y, U, V, YUV 6:1:1, RGB) and MS-SSIM of DIST against REF, by frame index");
  struct Args {
    std::string ref, dist;
    InputOptions in;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("REF", a->ref, "Reference video")->required();
  cmd->add_option("DIST", a->dist, "Distorted video")->required();
  a->in.add_to(*cmd);
  cmd->add_flag("--json", a->json, "Print JSON with per-frame values");
  return [a] {
    ReadOptions ro = a->in.finish();
    auto ref = open_video_reader(a->ref, ro);
    auto dist = open_video_reader(a->dist, ro);
    // Two still images are compared in RGB (the image-codec convention, docs/metrics.md), two
    // grey ones in grey.
    if (is_still_image(ref->info()) && is_still_image(dist->info())) {
      bool grey = ref->info().src_grey && dist->info().src_grey;
      ref->set_out_fmt(grey ? PixFmt::GRAY : PixFmt::RGBP);
      dist->set_out_fmt(grey ? PixFmt::GRAY : PixFmt::RGBP);
    }
    if (ref->info().width != dist->info().width || ref->info().height != dist->info().height)
      throw Error("size mismatch: REF is " + std::to_string(ref->info().width) + "x" +
                  std::to_string(ref->info().height) + ", DIST is " +
                  std::to_string(dist->info().width) + "x" + std::to_string(dist->info().height));
    MetricsAccumulator acc;
    Frame fr, fd;
    int64_t n = 0;
    for (;;) {
      bool hr = ref->read(fr), hd = dist->read(fd);
      if (hr != hd) {
        int64_t nr = n + hr + (hr ? count_rest(*ref, fr) : 0);
        int64_t nd = n + hd + (hd ? count_rest(*dist, fd) : 0);
        throw Error("frame count mismatch: REF has " + std::to_string(nr) + " frames, DIST has " +
                    std::to_string(nd));
      }
      if (!hr) break;
      acc.add(fr, fd);
      ++n;
    }
    if (n == 0) throw Error("no frames to compare");
    MetricsSummary s = acc.summary();
    const char* ssim_label = s.ssim_kind == "ms-ssim" ? "MS-SSIM" : "SSIM";
    if (a->json) {
      nlohmann::json j = {{"ref", a->ref},
                          {"dist", a->dist},
                          {"frames", s.frames},
                          {"width", s.width},
                          {"height", s.height},
                          {"identical", s.identical},
                          {"rgb_matrix", s.rgb_matrix},
                          {"ssim_kind", s.ssim_kind},
                          {"average", metrics_json(s.mean, s.ssim_kind)}};
      nlohmann::json frames = nlohmann::json::array();
      for (const FrameMetrics& f : s.per_frame) {
        nlohmann::json fj = metrics_json(f, s.ssim_kind);
        fj["frame"] = f.index;
        frames.push_back(fj);
      }
      j["per_frame"] = frames;
      std::printf("%s\n", j.dump(2).c_str());
      return 0;
    }
    std::printf("%lld frames of %dx%d, compared by index%s\n", (long long)s.frames, s.width,
                s.height, s.identical ? " (identical)" : "");
    std::printf("PSNR Y     %8.4f dB\n", s.mean.psnr_y);
    std::printf("PSNR U     %8.4f dB\n", s.mean.psnr_u);
    std::printf("PSNR V     %8.4f dB\n", s.mean.psnr_v);
    std::printf("PSNR YUV   %8.4f dB  (6:1:1)\n", s.mean.psnr_yuv);
    std::printf("PSNR RGB   %8.4f dB  (%s)\n", s.mean.psnr_rgb, s.rgb_matrix.c_str());
    if (s.ssim_kind == "none")
      std::printf("SSIM       n/a (frames smaller than the 11x11 window)\n");
    else
      std::printf("%-10s %8.6f  (luma%s)\n", ssim_label, s.mean.ssim,
                  s.ssim_kind == "ssim" ? "; MS-SSIM needs a short side > 160 px" : "");
    return 0;
  };
}

}  // namespace nerv::app
