// nervc bench-decode IN.nerv: how fast this machine reconstructs the stream's frames (network,
// crop, 4:2:0 conversion and the copy to host memory), without container output.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/compute_options.h"
#include "app/prior_option.h"
#include "base/error.h"
#include "codec/segment_decoder.h"
#include "models/graphed_step.h"
#include "models/runtime.h"

namespace nerv::app {

Run add_bench_decode(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "bench-decode", "Measure decoding speed: median frames/s over repeated runs after warm-up");
  struct Args {
    std::string input;
    ComputeOptions compute;
    std::vector<std::string> priors;
    int repeat = 5;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("INPUT", a->input, ".nerv file")->required();
  a->compute.add_to(*cmd, true, 8);
  cmd->add_option("--repeat", a->repeat, "Timed runs")
      ->check(CLI::Range(1, 1000))
      ->default_str("5");
  cmd->add_flag("--json", a->json, "Print JSON");
  add_prior_option(*cmd, a->priors);
  return [a] {
    load_priors(a->priors);
    a->compute.apply();
    torch::Device device = a->compute.parsed_device();
    torch::ScalarType dtype = a->compute.dtype(device);
    BitstreamReader reader(a->input);
    const StreamHeader& h = reader.header();
    SegmentDecoder dec(h, device, dtype);
    dec.set_batch(a->compute.batch);
    BitstreamReader::Chunk c;
    do {
      if (!reader.next(c)) throw Error(a->input + ": no segment to decode");
    } while (c.kind != BitstreamReader::Chunk::Segment);
    dec.rebuild(c.segment, c.payload);  // the first segment's weights serve every run
    std::vector<Frame> frames;
    dec.reconstruct(frames);  // warm-up: kernels, allocator, layouts
    std::vector<double> fps;
    for (int r = 0; r < a->repeat; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      dec.reconstruct(frames);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fps.push_back(double(frames.size()) / s);
    }
    std::sort(fps.begin(), fps.end());
    double median = fps[fps.size() / 2];
    DecoderComplexity cx = dec.complexity();
    double pixels = double(cx.pixels_per_frame);
    double gmac = cx.macs_per_pixel * pixels / 1e9;
    double act_mb = cx.activations_per_pixel * pixels * double(c10::elementSize(dtype)) / 1e6;
    if (a->json) {
      nlohmann::json j = {{"input", a->input},
                          {"width", h.width},
                          {"height", h.height},
                          {"device", device.str()},
                          {"precision", precision_name(dtype)},
                          {"batch", a->compute.batch},
                          {"cuda_graphs_recorded", cuda_graphs_recorded()},
                          {"frames_per_run", frames.size()},
                          {"fps_median", median},
                          {"fps_min", fps.front()},
                          {"fps_max", fps.back()},
                          {"gmac_per_frame", gmac},
                          {"activation_mb_per_frame", act_mb}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf(
          "%dx%d on %s %s, batch %d: median %.1f fps (min %.1f, max %.1f) over %d runs "
          "of %zu frames; %.2f GMAC and %.1f MB of activations per frame\n",
          h.width, h.height, device.str().c_str(), precision_name(dtype), a->compute.batch, median,
          fps.front(), fps.back(), a->repeat, frames.size(), gmac, act_mb);
    }
    return 0;
  };
}

}  // namespace nerv::app
