// Shared by the libFuzzer harnesses: an input as a file the codec can open by path, and the
// CRC fix-up that lets mutated streams past the chunk checksums (docs/bitstream.md §2–§5).
#pragma once
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace nerv::fuzz {

// The input as a file the codec opens by its /proc path: an anonymous in-memory file (a
// regular file: seekable, as a .nerv on disk), or a pipe holding the whole input with its
// writing end closed (the streaming path: no seeking, resynchronisation instead of the index).
// Inputs stay below the pipe's 64 KiB buffer (scripts/fuzz.sh: -max_len=16384).
class InputFile {
 public:
  InputFile(const uint8_t* data, size_t size, bool as_pipe) {
    int w = -1;
    if (as_pipe) {
      int fds[2];
      if (size > 65536 || pipe(fds) != 0) std::abort();
      fd_ = fds[0];
      w = fds[1];
    } else {
      fd_ = w = memfd_create("nerv-fuzz", 0);
      if (fd_ < 0) std::abort();
    }
    for (size_t done = 0; done < size;) {
      ssize_t n = write(w, data + done, size - done);
      if (n <= 0) std::abort();
      done += size_t(n);
    }
    if (as_pipe) close(w);
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~InputFile() { close(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// Which of the two an input is read through: a property of the input, so that a finding
// replays the same way. Odd sizes go through a pipe.
inline bool read_as_pipe(size_t size) {
  return size % 2 == 1;
}

inline uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline void put_crc(uint8_t* chunk, size_t body) {  // CRC-32 of `body` bytes, stored after them
  uint32_t c = uint32_t(crc32(crc32(0L, Z_NULL, 0), chunk, uInt(body)));
  for (int i = 0; i < 4; ++i) chunk[body + i] = uint8_t(c >> (8 * i));
}

// Rewrites the CRC of the stream header and of every whole chunk after it, walking the layout
// of §2–§5 as far as it stays recognisable. Without this nearly every mutation would stop at
// the first CRC check and the parsers behind it would never see mutated bytes.
inline void fix_crcs(uint8_t* d, size_t n) {
  if (n < 14) return;
  uint64_t at = 10 + uint64_t(le32(d + 6));
  if (at + 4 > n) return;
  put_crc(d, size_t(at));
  at += 4;
  while (at + 8 <= n) {
    uint8_t* c = d + at;
    uint64_t body;  // bytes before the CRC
    if (!std::memcmp(c, "SEGM", 4)) {
      if (at + 25 > n) return;
      body = 25 + uint64_t(le32(c + 21));
    } else if (!std::memcmp(c, "INDX", 4)) {
      body = 8 + 20 * uint64_t(le32(c + 4));
    } else if (!std::memcmp(c, "ENDS", 4)) {
      body = 24;
    } else if (c[0] >= 'a' && c[0] <= 'z') {
      body = 8 + uint64_t(le32(c + 4));
    } else {
      return;
    }
    if (at + body + 4 > n) return;
    put_crc(c, size_t(body));
    at += body + 4;
  }
}

}  // namespace nerv::fuzz

// For the stream harnesses: libFuzzer's own mutation, then (7 times in 8) the CRC fix-up; the
// eighth keeps a broken CRC so that the mismatch paths stay covered.
#define NERV_FUZZ_CRC_FIXING_MUTATOR                                                     \
  extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);       \
  extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, \
                                            unsigned int seed) {                         \
    size = LLVMFuzzerMutate(data, size, max_size);                                       \
    if (seed % 8 != 0) nerv::fuzz::fix_crcs(data, size);                                 \
    return size;                                                                         \
  }
