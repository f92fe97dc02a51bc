// The container of priors and predictors: a few named float tensors with a JSON header,
// versioned and CRC'd, read with every size checked against the bytes that are there.
//
// Layout (little-endian): 8-byte magic, u16 format, u32 JSON length, JSON, u32 tensor count,
// per tensor: u16 name length, name, u8 dimensions, u32 per dimension, binary32 values; then
// the CRC-32 of everything before it.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "models/model.h"

namespace nerv {

struct TensorFileKind {
  const char* magic;  // 8 bytes
  uint16_t format;
  const char* what;  // "prior", "predictor": in errors
};

struct TensorFile {
  nlohmann::json meta;
  NamedTensors tensors;  // on the CPU
};

// Throws nerv::Error naming `path`: not of this kind, another format, damaged (CRC), truncated,
// over 64 MB, non-finite values.
TensorFile load_tensor_file(const std::string& path, const TensorFileKind& kind);
TensorFile parse_tensor_file(const uint8_t* data, size_t size, const std::string& path,
                             const TensorFileKind& kind);
// Written under a temporary name and renamed when complete.
void save_tensor_file(const std::string& path, const TensorFileKind& kind, const TensorFile& f);

// FNV-1a 64 over `json`'s compact text and every tensor's name, shape and values.
uint64_t tensors_hash(const nlohmann::json& json, const NamedTensors& tensors);
// 16 lower-case hex digits.
std::string hex64(uint64_t v);

}  // namespace nerv
