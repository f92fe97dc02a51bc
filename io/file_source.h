// An input byte stream: a file, or stdin for "-". Errors name the path in one line.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace nerv {

class ReadCancel;

class FileSource {
 public:
  // With `cancel`, reads from a pipe, a device, stdin or a URL end (errno ECANCELED: a read
  // error) once cancel->cancel() is called, instead of waiting for data that may never come.
  // `cancel` must outlive the FileSource. Regular files read as usual.
  explicit FileSource(const std::string& path, const ReadCancel* cancel = nullptr);
  // A stream the caller opened (e.g. fmemopen, fopencookie), owned from here on; `size` as
  // size().
  FileSource(FILE* opened, uint64_t size) : f_(opened), own_(true), size_(size) {}
  ~FileSource();
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  FILE* get() const { return f_; }
  uint64_t size() const { return size_; }  // 0 when unknown (pipe, device)

 private:
  FILE* f_ = nullptr;
  bool own_ = false;
  uint64_t size_ = 0;
};

}  // namespace nerv
