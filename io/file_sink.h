// A byte stream written to a file (under a temporary name until commit) or to stdout ("-").
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "io/temp_output.h"

namespace nerv {

class FileSink {
 public:
  explicit FileSink(const std::string& path);
  ~FileSink();  // without commit(): the temporary file is removed
  void write(const std::vector<uint8_t>& bytes) { write(bytes.data(), bytes.size()); }
  void write(const void* data, size_t n);
  uint64_t position() const { return pos_; }
  bool seekable() const { return seekable_; }  // a regular file (not stdout, a FIFO, a device)
  // Overwrites bytes already written (seekable sinks only).
  void patch(uint64_t offset, const std::vector<uint8_t>& bytes);
  void commit();

 private:
  TempOutput out_;
  FILE* f_ = nullptr;
  bool seekable_ = false;
  uint64_t pos_ = 0;
};

}  // namespace nerv
