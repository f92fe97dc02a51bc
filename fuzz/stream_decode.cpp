// libFuzzer harness: a whole stream through the decoder every command uses (decode_stream:
// parser, reader thread, each family's payload parser and network, on the CPU), skipping
// damaged segments as `decode --skip-errors` does: from a seekable file (the index finds the
// next intra segment) or from a pipe (resynchronisation), fuzz_util.h. Streams whose frames exceed
// a small bound are refused before decoding, as dav1d's fuzzer sets a frame size limit: a
// legitimate large stream needs memory and time in proportion, which is not a finding.
#include <torch/torch.h>

#include "base/error.h"
#include "codec/bitstream.h"
#include "codec/decoder.h"
#include "fuzz/fuzz_util.h"

NERV_FUZZ_CRC_FIXING_MUTATOR

namespace {
constexpr uint64_t kMaxSegmentSamples = 64 * 64 * 8;  // width x height x segment frames
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    {
      nerv::fuzz::InputFile peek(data, size, false);
      nerv::BitstreamReader r(peek.path());
      const nerv::StreamHeader& h = r.header();
      if (uint64_t(h.width) * h.height * h.segment_frames > kMaxSegmentSamples) return -1;
    }
    nerv::fuzz::InputFile file(data, size, nerv::fuzz::read_as_pipe(size));
    nerv::DecodeOptions opt;
    opt.skip_errors = true;
    nerv::decode_stream(
        file.path(), opt, [](const nerv::StreamHeader&) {}, [](const nerv::Frame&) {});
  } catch (const nerv::Error&) {
  }
  return 0;
}
