// In-process encoding of frames to a codec's elementary stream (parameter sets in band, no
// container) and decoding it back: how anchor codecs (x265, x264, SVT-AV1; for still images
// also WebP, AV1 and JPEG XL) are run and measured.
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
  // What the encoder is given (an FFmpeg pixel format name): frames of another layout are
  // converted by libswscale, RGB <-> YUV with the matrix and range below (RGB frames) or the
  // frames' own (YUV frames).
  std::string pix_fmt = "yuv420p";
  ColorMatrix matrix = ColorMatrix::BT601;
  ColorRange range = ColorRange::Full;
};

struct ElementaryStream {
  std::string codec;                 // libavcodec codec name for decoding, e.g. "hevc"
  std::vector<uint8_t> extradata;    // out-of-band headers, if the encoder kept any there
  std::vector<uint8_t> bytes;        // the packets back to back, as a raw stream file holds them
  std::vector<size_t> packet_sizes;  // in decode order
  size_t total_bytes() const { return extradata.size() + bytes.size(); }
};

// Encodes frames (all of one size and format); throws nerv::Error naming the encoder on failure.
ElementaryStream encode_elementary(const std::vector<Frame>& frames, const ElementaryOptions& opt);

// Decodes every packet of `s`; frames come out in display order, numbered from 0, as `out_fmt`
// (converted where the decoder gives another layout; YUV -> RGB with `matrix` and `range`
// unless the stream states its own).
void decode_elementary(const ElementaryStream& s, const std::function<void(const Frame&)>& on_frame,
                       PixFmt out_fmt = PixFmt::YUV420P, ColorMatrix matrix = ColorMatrix::BT601,
                       ColorRange range = ColorRange::Full);

// libavcodec's version, e.g. "FFmpeg 5.1.6, libavcodec 59.37.100".
std::string ffmpeg_version();

}  // namespace nerv
