#include "codec/tensor_file.h"

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

constexpr uint64_t kMaxFile = uint64_t(64) << 20;  // a few MB at most

uint64_t fnv(uint64_t h, const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

uint32_t crc(const uint8_t* p, size_t n) {
  return uint32_t(crc32(crc32(0L, Z_NULL, 0), p, uInt(n)));
}

}  // namespace

uint64_t tensors_hash(const nlohmann::json& json, const NamedTensors& tensors) {
  std::string text = json.dump();
  uint64_t h = fnv(0xcbf29ce484222325ull, text.data(), text.size());
  for (const auto& [name, t] : tensors) {
    h = fnv(h, name.data(), name.size());
    for (int64_t s : t.sizes()) h = fnv(h, &s, sizeof s);
    torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    h = fnv(h, c.data_ptr<float>(), size_t(c.numel()) * sizeof(float));
  }
  return h;
}

std::string hex64(uint64_t v) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(v));
  return hex;
}

TensorFile load_tensor_file(const std::string& path, const TensorFileKind& kind) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open the " + kind.what);
  f.seekg(0, std::ios::end);
  const auto size = uint64_t(f.tellg());
  if (size > kMaxFile) throw Error(path + ": not a " + kind.what + " (over 64 MB)");
  f.seekg(0);
  std::vector<uint8_t> b(size);
  if (!f.read(reinterpret_cast<char*>(b.data()), std::streamsize(size)))
    throw Error(path + ": cannot read the " + kind.what);
  return parse_tensor_file(b.data(), b.size(), path, kind);
}

TensorFile parse_tensor_file(const uint8_t* data, size_t size, const std::string& path,
                             const TensorFileKind& kind) {
  const std::string what = kind.what;
  if (size < 8 + 2 || std::memcmp(data, kind.magic, 8) != 0)
    throw Error(path + ": not a nervc " + what);
  ByteReader r(data, size, path);
  r.take(8);
  if (uint16_t v = r.u16(); v != kind.format)
    throw Error(path + ": " + what + " format " + std::to_string(v) + ", this nervc reads format " +
                std::to_string(kind.format));
  if (size < 8 + 2 + 4 || crc(data, size - 4) != ByteReader(data + size - 4, 4, path).u32())
    throw Error(path + ": damaged or truncated " + what + " (CRC mismatch)");
  ByteReader body(data, size - 4, path);
  body.take(8 + 2);
  uint32_t json_len = body.u32();
  const uint8_t* j = body.take(json_len);
  TensorFile out;
  out.meta = nlohmann::json::parse(j, j + json_len, nullptr, false);
  if (!out.meta.is_object()) throw Error(path + ": " + what + " header is not valid");
  uint32_t count = body.u32();
  if (count > 4096) throw Error(path + ": " + what + " has too many tensors");
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
    out.tensors.emplace_back(std::move(name), t);
  }
  if (body.remaining() != 0) throw Error(path + ": " + what + " has trailing bytes");
  return out;
}

void save_tensor_file(const std::string& path, const TensorFileKind& kind, const TensorFile& f) {
  ByteWriter w;
  w.bytes(kind.magic, 8);
  w.u16(kind.format);
  std::string meta = f.meta.dump();
  w.u32(uint32_t(meta.size()));
  w.bytes(meta.data(), meta.size());
  w.u32(uint32_t(f.tensors.size()));
  for (const auto& [name, t] : f.tensors) {
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
}

}  // namespace nerv
