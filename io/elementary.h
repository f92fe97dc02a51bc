// In-process encoding of frames to a codec's elementary stream (parameter sets in band, no
// container) and decoding it back: how anchor codecs (x265, x264, SVT-AV1) are run and measured.
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "io/frame.h"

namespace nerv {

struct ElementaryOptions {
  std::string encoder;  // libavcodec encoder name, e.g. "libx265"
  // Encoder options as FFmpeg names them (e.g. {"preset","medium"}, {"x265-params","qp=32"}).
  std::vector<std::pair<std::string, std::string>> options;
  Rational fps{25, 1};
};

struct ElementaryStream {
  std::string codec;                 // libavcodec codec name for decoding, e.g. "hevc"
  std::vector<uint8_t> extradata;    // out-of-band headers, if the encoder kept any there
  std::vector<uint8_t> bytes;        // the packets back to back, as a raw stream file holds them
  std::vector<size_t> packet_sizes;  // in decode order
  size_t total_bytes() const { return extradata.size() + bytes.size(); }
};

// Encodes yuv420p frames (all the same size); throws nerv::Error naming the encoder on failure.
ElementaryStream encode_elementary(const std::vector<Frame>& frames, const ElementaryOptions& opt);

// Decodes every packet of `s`; frames come out in display order, numbered from 0.
void decode_elementary(const ElementaryStream& s,
                       const std::function<void(const Frame&)>& on_frame);

// libavcodec's version, e.g. "FFmpeg 5.1.6, libavcodec 59.37.100".
std::string ffmpeg_version();

}  // namespace nerv
