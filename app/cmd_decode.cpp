// nervc decode IN.nerv -o OUTPUT: rebuild the frames and write them through FFmpeg.
#include <cstdio>

#include "app/commands.h"
#include "app/compute_options.h"
#include "app/output_options.h"
#include "app/prior_option.h"
#include "codec/decoder.h"
#include "models/runtime.h"
#include "player/pacer.h"

namespace nerv::app {

Run add_decode(CLI::App& app) {
  auto* cmd = app.add_subcommand("decode", "Decode a .nerv stream to a video file, pipe or URL");
  struct Args {
    std::string input, output;
    WriteOptions w;
    ComputeOptions compute;
    std::vector<std::string> priors;
    bool quiet = false, realtime = false, skip_errors = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("INPUT", a->input, ".nerv file, or '-' for stdin")->required();
  cmd->add_option("-o,--output", a->output, "Output file, '-' for stdout (with -f), or URL")
      ->required();
  add_output_options(*cmd, a->w);
  a->compute.add_to(*cmd, true);
  add_prior_option(*cmd, a->priors);
  cmd->add_flag("--realtime", a->realtime, "Pace the output at the stream's frame rate");
  cmd->add_flag("--skip-errors", a->skip_errors,
                "Report damaged segments and go on at the next intact chunk and intra segment");
  cmd->add_flag("-q,--quiet", a->quiet, "No summary line");
  return [a] {
    load_priors(a->priors);
    a->compute.apply();
    DecodeOptions opt;
    opt.device = a->compute.parsed_device();
    opt.dtype = a->compute.dtype(opt.device);
    opt.batch = a->compute.batch;
    opt.skip_errors = a->skip_errors;
    opt.on_skip = [](const std::string& m) {
      std::fprintf(stderr, "nervc: warning: %s\n", m.c_str());
    };
    std::unique_ptr<VideoWriter> writer;
    SteadyClock clock;
    std::unique_ptr<Pacer> pacer;
    DecodeReport r = decode_stream(
        a->input, opt,
        [&](const StreamHeader& h) {
          writer = open_video_writer(a->output, h.video_info(), a->w);
          if (a->realtime) pacer = std::make_unique<Pacer>(clock, h.fps.value(), false);
        },
        [&](const Frame& f) {
          if (pacer) pacer->wait(uint64_t(f.index));
          writer->write(f);
        });
    writer->close();
    if (!a->quiet)
      std::fprintf(stderr,
                   "nervc: decoded %llu frames (%u segments) in %.3f s, %.1f fps on %s %s -> %s\n",
                   (unsigned long long)r.frames, r.segments, r.seconds,
                   r.seconds > 0 ? r.frames / r.seconds : 0.0, opt.device.str().c_str(),
                   precision_name(opt.dtype), writer->description().c_str());
    return 0;
  };
}

}  // namespace nerv::app
