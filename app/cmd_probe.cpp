// nervc probe INPUT: what the reader sees in a file, pipe or URL.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/commands.h"

namespace nerv::app {

Run add_probe(CLI::App& app) {
  auto* cmd = app.add_subcommand("probe", "Print what nervc reads from a video");
  struct Args {
    std::string input;
    InputOptions in;
    bool count = false, json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("INPUT", a->input, "File, '-' for stdin, or URL")->required();
  a->in.add_to(*cmd);
  cmd->add_flag("--count", a->count, "Decode every frame to count them exactly");
  cmd->add_flag("--json", a->json, "Print JSON");
  return [a] {
    auto reader = open_video_reader(a->input, a->in.finish());
    const VideoInfo& i = reader->info();
    int64_t frames = i.frames;
    if (a->count) {
      Frame f;
      frames = 0;
      while (reader->read(f)) ++frames;
    }
    if (a->json) {
      nlohmann::json j = {
          {"input", i.url},
          {"container", i.container},
          {"codec", i.codec},
          {"pix_fmt", i.src_pix_fmt},
          {"width", i.width},
          {"height", i.height},
          {"fps", std::to_string(i.fps.num) + "/" + std::to_string(i.fps.den)},
          {"time_base", std::to_string(i.time_base.num) + "/" + std::to_string(i.time_base.den)},
          {"matrix", to_string(i.matrix)},
          {"matrix_guessed", i.matrix_guessed},
          {"range", to_string(i.range)},
          {"frames", frames},
          {"frames_counted", a->count},
          {"duration_s", i.duration_s}};
      std::printf("%s\n", j.dump(2).c_str());
      return 0;
    }
    std::printf("input:      %s\n", i.url.c_str());
    std::printf("container:  %s\n", i.container.c_str());
    std::printf("codec:      %s (%s)\n", i.codec.c_str(), i.src_pix_fmt.c_str());
    std::printf("size:       %dx%d\n", i.width, i.height);
    std::printf("frame rate: %d/%d (%.3f fps)\n", i.fps.num, i.fps.den, i.fps.value());
    std::printf("time base:  %d/%d\n", i.time_base.num, i.time_base.den);
    std::printf("colour:     %s%s, %s range\n", to_string(i.matrix),
                i.matrix_guessed ? " (not stated; guessed from height)" : "", to_string(i.range));
    if (frames >= 0)
      std::printf("frames:     %lld%s\n", (long long)frames, a->count ? " (counted)" : "");
    else
      std::printf("frames:     unknown (use --count)\n");
    if (i.duration_s >= 0) std::printf("duration:   %.3f s\n", i.duration_s);
    return 0;
  };
}

}  // namespace nerv::app
