// nervc play IN.nerv: real-time playback in a window, headless, or streamed out through FFmpeg.
#include <unistd.h>

#include <cstdio>

#include "app/commands.h"
#include "app/compute_options.h"
#include "app/output_options.h"
#include "app/prior_option.h"
#include "base/error.h"
#include "player/player.h"
#include "player/window.h"

namespace nerv::app {

Run add_play(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "play",
      "Play a .nerv stream in real time: in a window (space, left/right, q), headless, "
      "or out to a file, pipe or URL");
  struct Args {
    std::string input, output;
    WriteOptions w;
    ComputeOptions compute;
    std::vector<std::string> priors;
    bool no_display = false, realtime = false, loop = false, skip_errors = false, quiet = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("INPUT", a->input, ".nerv file, or '-' for stdin (plays as segments arrive)")
      ->required();
  cmd->add_option("-o,--output", a->output, "Also stream the frames to a file, '-' or URL");
  add_output_options(*cmd, a->w);
  cmd->add_flag("--no-display", a->no_display, "No window: paced, statistics at the end");
  cmd->add_flag("--realtime", a->realtime, "Pace the output at the stream's frame rate");
  cmd->add_flag("--loop", a->loop, "Start again at the end (files; until q or Ctrl-C)");
  cmd->add_flag("--skip-errors", a->skip_errors,
                "Report damaged segments and go on at the next intact chunk and intra segment");
  a->compute.add_to(*cmd, true);
  add_prior_option(*cmd, a->priors);
  cmd->add_flag("-q,--quiet", a->quiet, "No status lines");
  return [a] {
    load_priors(a->priors);
    a->compute.apply();
    PlayOptions opt;
    opt.decode.device = a->compute.parsed_device();
    opt.decode.dtype = a->compute.dtype(opt.decode.device);
    opt.decode.batch = a->compute.batch;
    opt.decode.skip_errors = a->skip_errors;
    opt.decode.on_skip = [](const std::string& m) {
      std::fprintf(stderr, "\nnervc: warning: %s\n", m.c_str());
    };
    opt.output = a->output;
    opt.write = a->w;
    opt.realtime = a->realtime;
    opt.loop = a->loop;
    // Without a display (CI, ssh) play runs headless rather than failing.
    opt.display = !a->no_display && window_available();
    if (!a->no_display && !opt.display && !a->quiet && getenv("DISPLAY"))
      std::fprintf(stderr, "nervc: display %s does not answer: playing headless\n",
                   getenv("DISPLAY"));
    opt.title = "nervc - " + a->input;
    bool tty = isatty(STDERR_FILENO);
    if (!a->quiet && tty)
      opt.on_status = [](const std::string& s) { std::fprintf(stderr, "\r\033[K%s", s.c_str()); };
    PlayStats s = play(a->input, opt);
    if (!a->quiet) {
      std::fprintf(stderr,
                   "%snervc: played %llu frames in %.2f s (shown %llu, dropped %llu, written "
                   "%llu, seeks %u); decode %.1f fps; %.1f kbps; first frame after %.0f ms%s\n",
                   tty ? "\r\033[K" : "", (unsigned long long)s.frames, s.seconds,
                   (unsigned long long)s.shown, (unsigned long long)s.dropped,
                   (unsigned long long)s.written, s.seeks, s.decode_fps, s.kbps,
                   s.first_frame_s * 1000, s.quit ? " (quit)" : "");
    }
    if (!s.error.empty()) throw Error(s.error);
    return 0;
  };
}

}  // namespace nerv::app
