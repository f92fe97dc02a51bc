#include "codec/stream_parts.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "codec/bitstream.h"
#include "io/file_sink.h"

namespace nerv {
namespace {

constexpr char kPartTag[4] = {'p', 'a', 'r', 't'};

std::string range_of(const PartInfo& p) {
  return std::to_string(p.chains_begin) + ":" + std::to_string(p.chains_end);
}

uint64_t unsigned_value(const nlohmann::json* v, const char* key, uint64_t hi,
                        const std::string& where) {
  if (!v || !v->is_number_unsigned() || v->get<uint64_t>() > hi)
    throw Error(where + ": part chunk: '" + key + "' missing or out of range");
  return v->get<uint64_t>();
}

uint64_t unsigned_field(const nlohmann::json& j, const char* key, uint64_t hi,
                        const std::string& where) {
  return unsigned_value(j.contains(key) ? &j[key] : nullptr, key, hi, where);
}

// The stream header as the whole encode writes it before its frame count is known: what every
// part of one encode has in common.
std::vector<uint8_t> common_header(StreamHeader h) {
  h.frame_count = 0;
  return write_stream_header(h);
}

struct Part {
  std::string path;
  PartInfo info;
  StreamHeader header;
};

// Runs `f` on part `path`; its errors name the part (the reader names some only by segment).
template <typename F>
auto naming(const std::string& path, F f) {
  try {
    return f();
  } catch (const Error& e) {
    std::string m = e.what();
    if (m.compare(0, path.size(), path) == 0) throw;
    throw Error(path + ": " + m);
  }
}

// Opens a part and reads its header and part chunk (the chunk right after the header).
Part open_part(const std::string& path, BitstreamReader& r) {
  Part p{path, {}, r.header()};
  BitstreamReader::Chunk c;
  if (!r.next_chunk(c) || c.kind != BitstreamReader::Chunk::Ancillary || c.tag != "part")
    throw Error(path +
                ": not a part stream (no part chunk; parts are written by nervc encode "
                "--chains or --shard)");
  p.info = parse_part_chunk(c.payload, path);
  return p;
}

}  // namespace

std::vector<uint8_t> write_part_chunk(const PartInfo& p) {
  nlohmann::json j = {{"chains", {p.chains_begin, p.chains_end}},
                      {"chain_count", p.chain_count},
                      {"frames", p.frames},
                      {"seed", p.seed},
                      {"input", p.input}};
  std::string s = j.dump();
  return write_ancillary_chunk(kPartTag, std::vector<uint8_t>(s.begin(), s.end()));
}

PartInfo parse_part_chunk(const std::vector<uint8_t>& body, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (!j.is_object()) throw Error(where + ": part chunk: not a JSON object");
  PartInfo p;
  const nlohmann::json* c = j.contains("chains") ? &j["chains"] : nullptr;
  if (!c || !c->is_array() || c->size() != 2)
    throw Error(where + ": part chunk: 'chains' is not a range [begin, end]");
  p.chain_count = uint32_t(unsigned_field(j, "chain_count", UINT32_MAX, where));
  p.chains_begin = uint32_t(unsigned_value(&(*c)[0], "chains", UINT32_MAX, where));
  p.chains_end = uint32_t(unsigned_value(&(*c)[1], "chains", UINT32_MAX, where));
  if (p.chains_begin >= p.chains_end || p.chains_end > p.chain_count)
    throw Error(where + ": part chunk: chains " + range_of(p) +
                " not within 0:" + std::to_string(p.chain_count));
  p.frames = unsigned_field(j, "frames", UINT64_MAX, where);
  p.seed = unsigned_field(j, "seed", UINT64_MAX, where);
  if (!j.contains("input") || !j["input"].is_string())
    throw Error(where + ": part chunk: 'input' is not a string");
  p.input = j["input"].get<std::string>();
  return p;
}

void shard_chains(uint32_t i, uint32_t n, uint32_t chains, uint32_t& begin, uint32_t& end) {
  if (n == 0 || i >= n)
    throw Error("shard " + std::to_string(i) + "/" + std::to_string(n) +
                ": the shard index must be below the shard count");
  if (n > chains)
    throw Error(std::to_string(n) + " shards, but the input has only " + std::to_string(chains) +
                " chain" + (chains == 1 ? "" : "s") + " (intra periods) to share");
  begin = uint32_t(uint64_t(i) * chains / n);
  end = uint32_t(uint64_t(i + 1) * chains / n);
}

ConcatReport concat_parts(const std::vector<std::string>& paths, const std::string& output) {
  if (paths.empty()) throw Error("concat: no parts given");
  // 1. Every part's header and part chunk: one encode, every chain once.
  std::vector<Part> parts;
  for (const std::string& path : paths)
    parts.push_back(naming(path, [&] {
      BitstreamReader r(path);
      return open_part(path, r);
    }));
  const Part& ref = parts.front();
  const std::vector<uint8_t> header = common_header(ref.header);
  for (const Part& p : parts) {
    std::string what = common_header(p.header) != header  ? "stream header (config or video)"
                       : p.info.input != ref.info.input   ? "input"
                       : p.info.frames != ref.info.frames ? "input frame count"
                       : p.info.seed != ref.info.seed     ? "seed"
                       : p.info.chain_count != ref.info.chain_count ? "chain count"
                                                                    : "";
    if (!what.empty())
      throw Error(p.path + ": not a part of the same encode as " + ref.path + " (its " + what +
                  " differs)");
  }
  std::stable_sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
    return a.info.chains_begin < b.info.chains_begin;
  });
  uint32_t next = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const PartInfo& p = parts[i].info;
    if (p.chains_begin < next)
      throw Error(parts[i].path + ": chains " + range_of(p) + " overlap those of " +
                  parts[i - 1].path + " (" + range_of(parts[i - 1].info) + ")");
    if (p.chains_begin > next)
      throw Error("concat: chains " + std::to_string(next) + ":" + std::to_string(p.chains_begin) +
                  " are missing (no part holds them)");
    next = p.chains_end;
  }
  if (next != ref.info.chain_count)
    throw Error("concat: chains " + std::to_string(next) + ":" +
                std::to_string(ref.info.chain_count) + " are missing (no part holds them)");

  // 2. The segments, renumbered; then the index and end chunks, as a whole encode writes them.
  FileSink sink(output);
  sink.write(header);
  const uint32_t P = ref.header.intra_period;
  ConcatReport rep;
  std::vector<IndexEntry> index;
  for (const Part& p : parts) {
    BitstreamReader r(p.path);
    open_part(p.path, r);
    const uint32_t first = p.info.chains_begin * P;
    BitstreamReader::Chunk c;
    uint32_t k = 0;
    while (naming(p.path, [&] { return r.next(c); })) {
      if (c.kind != BitstreamReader::Chunk::Segment) continue;  // its own index and end
      SegmentHeader sh = c.segment;
      sh.index = first + k++;
      if ((sh.type == SegmentType::Intra) != (sh.index % P == 0))
        throw Error(p.path + ": segment " + std::to_string(k - 1) +
                    " is not where its chain puts it (damaged part?)");
      sh.first_frame = rep.frames;
      if (sh.type == SegmentType::Intra)
        index.push_back({sh.index, sh.first_frame, sink.position()});
      sink.write(write_segment_chunk(sh, c.payload));
      rep.frames += sh.frames;
    }
    // The last part reads on to the input's end, as a whole encode does.
    uint64_t want = uint64_t(p.info.chains_end - p.info.chains_begin) * P;
    if (p.info.chains_end < p.info.chain_count ? k != want : k == 0)
      throw Error(p.path + ": holds " + std::to_string(k) + " segments where chains " +
                  range_of(p.info) + " have " + std::to_string(want));
    rep.segments += k;
  }
  uint64_t index_offset = sink.position();
  sink.write(write_index_chunk(index));
  sink.write(write_end_chunk({rep.frames, rep.segments, index_offset}));
  if (sink.seekable()) {  // as the encoder does once the frame count is known
    StreamHeader h = ref.header;
    h.frame_count = rep.frames;
    sink.patch(0, write_stream_header(h));
  }
  rep.bytes = sink.position();
  rep.parts = uint32_t(parts.size());
  sink.commit();
  return rep;
}

}  // namespace nerv
