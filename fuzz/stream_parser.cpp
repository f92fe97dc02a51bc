// libFuzzer harness: the container parser (docs/bitstream.md §2–§5) over a whole input, as a
// seekable file or through a pipe (fuzz_util.h). Reads every chunk, resynchronising after
// damage as `decode --skip-errors` does on a pipe, then, on a file, takes the random-access
// path (index or scan, seek, read) as `play` does.
// Every problem must surface as a nerv::Error; anything else (a crash, a sanitizer report, a
// foreign exception, an allocation over -rss_limit_mb, a hang) is a finding.
#include "base/error.h"
#include "codec/bitstream.h"
#include "fuzz/fuzz_util.h"

NERV_FUZZ_CRC_FIXING_MUTATOR

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bool as_pipe = nerv::fuzz::read_as_pipe(size);
  nerv::fuzz::InputFile file(data, size, as_pipe);
  using nerv::BitstreamReader;
  try {
    BitstreamReader r(file.path());
    r.allow_resync();
    BitstreamReader::Chunk c;
    for (;;) {
      try {
        if (!r.next(c)) break;
      } catch (const nerv::Error&) {
        if (!r.resync(c)) break;
      }
    }
  } catch (const nerv::Error&) {
  }
  if (as_pipe) return 0;  // read once; no random access
  try {
    BitstreamReader r(file.path());
    for (const nerv::IndexEntry& e : r.intra_segments()) {
      try {
        r.seek(e);
        BitstreamReader::Chunk c;
        r.next(c);
      } catch (const nerv::Error&) {
      }
    }
  } catch (const nerv::Error&) {
  }
  return 0;
}
