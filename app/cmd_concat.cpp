// nervc concat PART... -o OUT.nerv: joins the part streams of a sharded encode (nervc encode
// --chains / --shard) into the stream a whole encode writes, without re-encoding.
#include <chrono>
#include <cstdio>

#include "app/commands.h"
#include "codec/stream_parts.h"

namespace nerv::app {

Run add_concat(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "concat", "Join the part streams of a sharded encode into one stream (no re-encoding)");
  struct Args {
    std::vector<std::string> parts;
    std::string output;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("PART", a->parts, "Part streams (nervc encode --chains or --shard), any order")
      ->required();
  cmd->add_option("-o,--output", a->output, "Output .nerv file, or '-' for stdout")->required();
  cmd->add_flag("-q,--quiet", a->quiet, "No summary line");
  return [a] {
    auto t0 = std::chrono::steady_clock::now();
    ConcatReport r = concat_parts(a->parts, a->output);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!a->quiet)
      std::fprintf(stderr, "nervc: %u parts, %u segments, %llu frames, %llu bytes in %.2f s\n",
                   r.parts, r.segments, (unsigned long long)r.frames, (unsigned long long)r.bytes,
                   s);
    return 0;
  };
}

}  // namespace nerv::app
