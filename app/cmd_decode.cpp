// nervc decode IN.nerv -o OUTPUT: rebuild the frames and write them through FFmpeg.
#include <cstdio>

#include "app/commands.h"
#include "app/output_options.h"
#include "codec/decoder.h"
#include "models/runtime.h"
#include "player/pacer.h"

namespace nerv::app {

Run add_decode(CLI::App& app) {
  auto* cmd = app.add_subcommand("decode", "Decode a .nerv stream to a video file, pipe or URL");
  struct Args {
    std::string input, output;
    WriteOptions w;
    int threads = 0, batch = 4;
    std::string device = "auto", precision = "auto";
    bool no_graphs = false, quiet = false, realtime = false, skip_errors = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("INPUT", a->input, ".nerv file, or '-' for stdin")->required();
  cmd->add_option("-o,--output", a->output, "Output file, '-' for stdout (with -f), or URL")
      ->required();
  add_output_options(*cmd, a->w);
  cmd->add_option("--threads", a->threads, "Compute threads (0: all cores)")->default_str("0");
  cmd->add_option("--device", a->device, "auto, cpu, cuda or cuda:N")->default_str("auto");
  cmd->add_option("--precision", a->precision,
                  "auto (fp16 on a GPU, fp32 on the CPU), fp32, fp16, bf16")
      ->default_str("auto");
  cmd->add_option("--batch", a->batch, "Frames per network run")
      ->check(CLI::Range(1, 256))
      ->default_str("4");
  cmd->add_flag("--no-cuda-graphs", a->no_graphs,
                "Launch the network op by op instead of replaying a recorded CUDA graph");
  cmd->add_flag("--realtime", a->realtime, "Pace the output at the stream's frame rate");
  cmd->add_flag("--skip-errors", a->skip_errors,
                "Report damaged segments and go on at the next intact chunk and intra segment");
  cmd->add_flag("-q,--quiet", a->quiet, "No summary line");
  return [a] {
    set_compute_threads(a->threads);
    DecodeOptions opt;
    opt.device = parse_device(a->device);
    set_cuda_graphs(!a->no_graphs);
    opt.dtype = parse_precision(a->precision, opt.device);
    opt.batch = a->batch;
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
