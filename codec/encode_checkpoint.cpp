#include "codec/encode_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/temp_output.h"

namespace nerv {
namespace {
constexpr int kFormat = 1;  // of the checkpoint file itself
}

void save_checkpoint(const std::string& path, const EncodeCheckpoint& c) {
  nlohmann::json meta = {{"format", kFormat},
                         {"fingerprint", c.fingerprint},
                         {"input_hash", std::to_string(c.input_hash)},
                         {"segments", c.segments},
                         {"stream_bytes", c.stream_bytes},
                         {"segment_seconds", c.segment_seconds},
                         {"train_seconds", c.train_seconds},
                         {"family_tensors", c.family_state.size()}};
  torch::serialize::OutputArchive a;
  a.write("meta", c10::IValue(meta.dump()));
  a.write("rng", c.rng);
  for (size_t i = 0; i < c.family_state.size(); ++i)
    a.write("family" + std::to_string(i), c.family_state[i]);
  // On disk before it replaces the previous one, and the rename durable too.
  std::string tmp = path + ".tmp";
  try {
    a.save_to(tmp);
  } catch (const c10::Error&) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot write the checkpoint (disk full or not writable?)");
  }
  int fd = open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  bool synced = fd >= 0 && fsync(fd) == 0;
  int err = errno;
  if (fd >= 0) close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) {
    if (synced) err = errno;
    std::remove(tmp.c_str());
    throw Error(path + ": cannot write the checkpoint: " + std::strerror(err));
  }
  sync_dir_of(path);
}

EncodeCheckpoint load_checkpoint(const std::string& path) {
  EncodeCheckpoint c;
  try {
    torch::serialize::InputArchive a;
    a.load_from(path);
    c10::IValue m;
    a.read("meta", m);
    nlohmann::json meta = nlohmann::json::parse(m.toStringRef());
    if (meta.at("format").get<int>() != kFormat) throw Error("");
    c.fingerprint = meta.at("fingerprint").get<std::string>();
    c.input_hash = std::stoull(meta.at("input_hash").get<std::string>());
    c.segments = meta.at("segments").get<uint32_t>();
    c.stream_bytes = meta.at("stream_bytes").get<uint64_t>();
    c.segment_seconds = meta.at("segment_seconds").get<std::vector<double>>();
    c.train_seconds = meta.at("train_seconds").get<std::vector<double>>();
    a.read("rng", c.rng);
    size_t n = meta.at("family_tensors").get<size_t>();
    c.family_state.resize(n);
    for (size_t i = 0; i < n; ++i) a.read("family" + std::to_string(i), c.family_state[i]);
    if (c.segment_seconds.size() != c.segments || c.train_seconds.size() != c.segments)
      throw Error("");
  } catch (const std::exception&) {  // c10::Error, JSON, std::stoull and our own
    throw Error(path +
                ": not a readable encode checkpoint (damaged: delete it and the .partial "
                "file beside it to start over)");
  }
  return c;
}

uint64_t hash_frame(uint64_t h, const Frame& f) {
  for (const auto& p : f.planes)
    for (uint8_t b : p) h = (h ^ b) * 0x100000001b3ull;
  return h;
}

}  // namespace nerv
