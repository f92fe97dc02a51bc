// The decoder as one call: reads a .nerv stream chunk by chunk (a file or a pipe, so segment k
// is out before segment k+1 has arrived) through the decode pipeline and hands frames on.
#pragma once
#include <functional>
#include <string>

#include "codec/decode_pipeline.h"

namespace nerv {

struct DecodeReport {
  uint64_t frames = 0;
  uint32_t segments = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

// `on_header` runs once the stream header is read (e.g. to open the output), `on_frame` for
// every decoded frame in order, in the caller's thread.
DecodeReport decode_stream(const std::string& input, const DecodeOptions& opt,
                           const std::function<void(const StreamHeader&)>& on_header,
                           const std::function<void(const Frame&)>& on_frame);

}  // namespace nerv
