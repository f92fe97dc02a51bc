// nervc info IN.nerv: headers, segments, and per-tensor sizes against their entropy.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/commands.h"
#include "app/prior_option.h"
#include "app/report_json.h"
#include "codec/segment_decoder.h"
#include "codec/stream_parts.h"

namespace nerv::app {

Run add_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Describe a .nerv stream: headers, segments, tensors");
  struct Args {
    std::string input;
    std::vector<std::string> priors;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("INPUT", a->input, ".nerv file, or '-' for stdin")->required();
  cmd->add_flag("--json", a->json, "Print JSON");
  add_prior_option(*cmd, a->priors);
  return [a] {
    load_priors(a->priors);
    BitstreamReader reader(a->input);
    const StreamHeader& h = reader.header();
    SegmentDecoder dec(h);
    nlohmann::json segs = nlohmann::json::array();
    BitstreamReader::Chunk c;
    uint64_t frames = 0;
    std::vector<TensorStats> stats;
    size_t index_entries = 0;
    std::optional<PartInfo> part;
    while (reader.next_chunk(c)) {
      if (c.kind == BitstreamReader::Chunk::Index) index_entries = c.index.size();
      if (c.kind == BitstreamReader::Chunk::Ancillary && c.tag == "part")
        part = parse_part_chunk(c.payload, a->input);
      if (c.kind != BitstreamReader::Chunk::Segment) continue;
      dec.rebuild(c.segment, c.payload, &stats);
      nlohmann::json tensors = nlohmann::json::array();
      for (const TensorStats& t : stats) tensors.push_back(tensor_stats_json(t));
      segs.push_back({{"index", c.segment.index},
                      {"type", c.segment.type == SegmentType::Intra ? "intra" : "residual"},
                      {"first_frame", c.segment.first_frame},
                      {"frames", c.segment.frames},
                      {"offset", c.segment.offset},
                      {"payload_bytes", c.payload.size()},
                      {"tensors", tensors}});
      frames += c.segment.frames;
    }
    uint64_t bytes = reader.position();
    double bpp = frames ? bytes * 8.0 / (double(frames) * h.width * h.height) : 0;
    if (a->json) {
      nlohmann::json j = {
          {"version", std::to_string(kVersionMajor) + "." + std::to_string(h.version_minor)},
          {"width", h.width},
          {"height", h.height},
          {"fps", std::to_string(h.fps.num) + "/" + std::to_string(h.fps.den)},
          {"frames", frames},
          {"header_frame_count", h.frame_count},
          {"pixel_format", to_string(h.pix_fmt)},
          {"matrix", to_string(h.matrix)},
          {"range", to_string(h.range)},
          {"segment_frames", h.segment_frames},
          {"intra_period", h.intra_period},
          {"config", h.config},
          {"bytes", bytes},
          {"bpp", bpp},
          {"index_entries", index_entries},
          {"segments", segs}};
      if (part)
        j["part"] = {{"chains", {part->chains_begin, part->chains_end}},
                     {"chain_count", part->chain_count},
                     {"input_frames", part->frames},
                     {"seed", part->seed},
                     {"input", part->input}};
      std::printf("%s\n", j.dump(2).c_str());
      return 0;
    }
    std::string colour =
        h.pix_fmt != PixFmt::YUV420P
            ? std::string(to_string(h.pix_fmt))
            : std::string("yuv420p ") + to_string(h.matrix) + " " + to_string(h.range);
    std::printf("nerv %d.%d  %dx%d  %d/%d fps  %llu frames  %s\n", kVersionMajor, h.version_minor,
                h.width, h.height, h.fps.num, h.fps.den, (unsigned long long)frames,
                colour.c_str());
    std::printf(
        "segments of %u frames, intra every %u; %llu bytes, %.4f bpp; index of %zu intra "
        "segments\n",
        h.segment_frames, h.intra_period, (unsigned long long)bytes, bpp, index_entries);
    std::printf("model: %s\n", h.config["model"].dump().c_str());
    if (std::string prior = stream_prior(h.config); !prior.empty())
      std::printf("prior: %s (intra weights coded against it)\n", prior.c_str());
    if (part)
      std::printf(
          "part: chains %u:%u of %u of %s (%llu frames, seed %llu); nervc concat joins "
          "the parts\n",
          part->chains_begin, part->chains_end, part->chain_count, part->input.c_str(),
          (unsigned long long)part->frames, (unsigned long long)part->seed);
    for (const auto& s : segs) {
      std::printf(
          "\nsegment %u  %-8s frames %llu-%llu  %zu bytes\n", s["index"].get<unsigned>(),
          s["type"].get<std::string>().c_str(),
          (unsigned long long)s["first_frame"].get<uint64_t>(),
          (unsigned long long)(s["first_frame"].get<uint64_t>() + s["frames"].get<uint64_t>() - 1),
          s["payload_bytes"].get<size_t>());
      std::printf("  %-16s %9s %9s %6s %10s %10s\n", "tensor", "symbols", "bytes", "coder",
                  "bits/sym", "entropy");
      for (const auto& t : s["tensors"]) {
        double n = t["symbols"].get<double>();
        std::printf("  %-16s %9zu %9zu %6s %10.3f %10.3f\n", t["name"].get<std::string>().c_str(),
                    t["symbols"].get<size_t>(), t["bytes"].get<size_t>(),
                    t["coder"].get<std::string>().c_str(),
                    n ? t["bytes"].get<double>() * 8 / n : 0.0,
                    n ? t["entropy_bytes"].get<double>() * 8 / n : 0.0);
      }
    }
    return 0;
  };
}

}  // namespace nerv::app
