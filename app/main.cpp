// nervc: the command-line front end. Every failure ends as one line on stderr and exit 1
// (2 for a bad command line).
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <map>

#include "app/commands.h"
#include "io/temp_output.h"

int main(int argc, char** argv) {
  // Keep large freed blocks in the heap instead of returning them to the kernel: training
  // reallocates the same big tensors every step, and fresh pages fault expensively.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  nerv::install_interrupt_cleanup();
  // A reader that goes away (a closed pipe) is a write error with a message, not a silent death.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"nervc: neural (implicit-representation) video codec"};
  app.name("nervc");
  app.require_subcommand(1);
  app.set_version_flag("--version", nerv::app::kNervcVersion);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Show FFmpeg's own log messages");
  std::map<CLI::App*, nerv::app::Run> runs;
  auto add = [&](nerv::app::Run (*f)(CLI::App&)) {
    nerv::app::Run r = f(app);
    runs[app.get_subcommands({}).back()] = r;
  };
  add(nerv::app::add_encode);
  add(nerv::app::add_train_prior);
  add(nerv::app::add_train_hyper);
  add(nerv::app::add_concat);
  add(nerv::app::add_decode);
  add(nerv::app::add_play);
  add(nerv::app::add_info);
  add(nerv::app::add_bench_decode);
  add(nerv::app::add_probe);
  add(nerv::app::add_metrics);
#if NERV_HAVE_FFMPEG
  add(nerv::app::add_compare);
  add(nerv::app::add_bdrate);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "nervc: error: %s (see nervc --help)\n", e.what());
    return 2;
  }
  nerv::set_ffmpeg_logging(verbose);
  try {
    for (auto& [cmd, run] : runs)
      if (cmd->parsed()) return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nervc: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
