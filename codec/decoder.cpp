#include "codec/decoder.h"

#include <chrono>

namespace nerv {

DecodeReport decode_stream(const std::string& input, const DecodeOptions& opt,
                           const std::function<void(const StreamHeader&)>& on_header,
                           const std::function<void(const Frame&)>& on_frame) {
  auto t0 = std::chrono::steady_clock::now();
  DecodePipeline pipe(input, opt);
  on_header(pipe.header());
  DecodeReport report;
  DecodedFrame d;
  while (pipe.next(d)) {
    on_frame(d.frame);
    ++report.frames;
    if (d.chunk_bytes) ++report.segments;
  }
  report.bytes = pipe.bytes_read();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace nerv
