#include "codec/grid_prior.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "base/error.h"
#include "codec/byte_io.h"
#include "io/temp_output.h"

namespace nerv {
namespace {

constexpr char kMagic[8] = {'N', 'E', 'R', 'V', 'P', 'R', 'I', 'O'};
constexpr uint16_t kFormat = 1;
constexpr uint64_t kMaxFile = uint64_t(64) << 20;  // priors are small: a few MB at most

uint64_t fnv(uint64_t h, const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

uint32_t crc(const uint8_t* p, size_t n) {
  return uint32_t(crc32(crc32(0L, Z_NULL, 0), p, uInt(n)));
}

}  // namespace

uint64_t prior_hash(const GridPrior& p) {
  std::string model = p.model.dump();
  uint64_t h = fnv(0xcbf29ce484222325ull, model.data(), model.size());
  for (const auto& [name, t] : p.tensors) {
    h = fnv(h, name.data(), name.size());
    for (int64_t s : t.sizes()) h = fnv(h, &s, sizeof s);
    torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    h = fnv(h, c.data_ptr<float>(), size_t(c.numel()) * sizeof(float));
  }
  return h;
}

std::string prior_id(const GridPrior& p) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(p.hash));
  return p.name + "@" + hex;
}

void check_prior_config(const GridPrior& p, const CodecConfig& cfg) {
  if (!cfg.model.is_object() || cfg.model.value("arch", "") != "grid")
    throw Error("a prior applies to the grid family, not '" + cfg.name + "'");
  if (p.model != cfg.model)
    throw Error("prior " + prior_id(p) + " was trained for another model than '" + cfg.name + "'");
}

GridPrior load_prior(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open the prior");
  f.seekg(0, std::ios::end);
  const auto size = uint64_t(f.tellg());
  if (size > kMaxFile) throw Error(path + ": not a prior (over 64 MB)");
  f.seekg(0);
  std::vector<uint8_t> b(size);
  if (!f.read(reinterpret_cast<char*>(b.data()), std::streamsize(size)))
    throw Error(path + ": cannot read the prior");
  return parse_prior(b.data(), b.size(), path);
}

GridPrior parse_prior(const uint8_t* data, size_t size, const std::string& path) {
  if (size < sizeof kMagic + 2 || std::memcmp(data, kMagic, sizeof kMagic) != 0)
    throw Error(path + ": not a nervc prior");
  ByteReader r(data, size, path);
  r.take(sizeof kMagic);
  if (uint16_t v = r.u16(); v != kFormat)
    throw Error(path + ": prior format " + std::to_string(v) + ", this nervc reads format " +
                std::to_string(kFormat));
  // size >= 10 here: the CRC's 4 bytes are there
  if (crc(data, size - 4) != ByteReader(data + size - 4, 4, path).u32())
    throw Error(path + ": damaged or truncated prior (CRC mismatch)");
  ByteReader body(data, size - 4, path);
  body.take(sizeof kMagic + 2);
  uint32_t json_len = body.u32();
  const uint8_t* j = body.take(json_len);
  nlohmann::json meta = nlohmann::json::parse(j, j + json_len, nullptr, false);
  if (!meta.is_object() || !meta.contains("name") || !meta["name"].is_string() ||
      !meta.contains("model") || !meta["model"].is_object())
    throw Error(path + ": prior header is not valid");
  GridPrior p;
  p.name = meta["name"];
  p.model = meta["model"];
  p.notes = meta.value("notes", nlohmann::json::object());
  uint32_t count = body.u32();
  if (count > 4096) throw Error(path + ": prior has too many tensors");
  for (uint32_t i = 0; i < count; ++i) {
    uint16_t n = body.u16();
    const uint8_t* s = body.take(n);
    std::string name(reinterpret_cast<const char*>(s), n);
    uint8_t dims = body.u8();
    if (dims > 4) throw Error(path + ": tensor " + name + " has too many dimensions");
    std::vector<int64_t> shape;
    uint64_t numel = 1;
    for (uint8_t d = 0; d < dims; ++d) {
      shape.push_back(body.u32());
      numel *= uint64_t(shape.back());
      if (numel > body.remaining()) throw Error(path + ": truncated tensor " + name);
    }
    torch::Tensor t = torch::empty(shape, torch::kFloat);
    float* v = t.data_ptr<float>();
    for (uint64_t k = 0; k < numel; ++k) {
      v[k] = body.f32();
      if (!std::isfinite(v[k])) throw Error(path + ": tensor " + name + " is not finite");
    }
    p.tensors.emplace_back(std::move(name), t);
  }
  if (body.remaining() != 0) throw Error(path + ": prior has trailing bytes");
  p.hash = prior_hash(p);
  return p;
}

void save_prior(const std::string& path, GridPrior& p) {
  ByteWriter w;
  w.bytes(kMagic, sizeof kMagic);
  w.u16(kFormat);
  std::string meta =
      nlohmann::json{{"name", p.name}, {"model", p.model}, {"notes", p.notes}}.dump();
  w.u32(uint32_t(meta.size()));
  w.bytes(meta.data(), meta.size());
  w.u32(uint32_t(p.tensors.size()));
  for (const auto& [name, t] : p.tensors) {
    w.u16(uint16_t(name.size()));
    w.bytes(name.data(), name.size());
    w.u8(uint8_t(t.dim()));
    for (int64_t s : t.sizes()) w.u32(uint32_t(s));
    torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    const float* v = c.data_ptr<float>();
    for (int64_t k = 0; k < c.numel(); ++k) w.f32(v[k]);
  }
  w.u32(crc(w.data().data(), w.size()));
  write_file(path, std::string(w.data().begin(), w.data().end()));
  p.hash = prior_hash(p);
}

}  // namespace nerv
