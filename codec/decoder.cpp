#include "codec/decoder.h"

#include <chrono>

#include "codec/segment_decoder.h"

namespace nerv {

DecodeReport decode_stream(const std::string& input, const DecodeOptions& opt,
                           const std::function<void(const StreamHeader&)>& on_header,
                           const std::function<void(const Frame&)>& on_frame) {
  auto t0 = std::chrono::steady_clock::now();
  BitstreamReader reader(input);
  on_header(reader.header());
  SegmentDecoder decoder(reader.header(), opt.device, opt.dtype);
  decoder.set_batch(opt.batch);
  DecodeReport report;
  BitstreamReader::Chunk chunk;
  std::vector<Frame> frames;
  while (reader.next(chunk)) {
    if (chunk.kind != BitstreamReader::Chunk::Segment) continue;
    decoder.decode(chunk.segment, chunk.payload, frames);
    for (const Frame& f : frames) on_frame(f);
    report.frames += frames.size();
    ++report.segments;
  }
  report.bytes = reader.position();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace nerv
