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
  // A resumable file output: written at `partial_path` (a fixed name), whose first
  // `keep_bytes` bytes are kept from an earlier, interrupted run and the rest dropped (0: a new
  // file). The partial file is locked: a second writer gets an error instead of a mixed file.
  FileSink(const std::string& path, const std::string& partial_path, uint64_t keep_bytes);
  ~FileSink();  // without commit() or keep_partial(): the temporary file is removed
  void write(const std::vector<uint8_t>& bytes) { write(bytes.data(), bytes.size()); }
  void write(const void* data, size_t n);
  uint64_t position() const { return pos_; }
  bool seekable() const { return seekable_; }  // a regular file (not stdout, a FIFO, a device)
  // Overwrites bytes already written (seekable sinks only).
  void patch(uint64_t offset, const std::vector<uint8_t>& bytes);
  void commit();
  // Makes everything written so far durable (flushed to the OS and the disk), so that a
  // checkpoint written after it describes bytes that exist.
  void sync();
  // From now on the partial file outlives an interrupt or an error (see TempOutput::keep).
  // Call it before writing the first checkpoint that names the file.
  void keep_partial() { out_.keep(); }

 private:
  TempOutput out_;
  FILE* f_ = nullptr;
  bool seekable_ = false;
  bool locked_ = false;  // a resumable output: flock'd partial file
  uint64_t pos_ = 0;
};

}  // namespace nerv
