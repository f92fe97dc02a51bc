// Anchor codecs for still images (issue 14), each a well-kept library run in-process at a
// quality ladder that covers nervc's rate range: JPEG through libjpeg-turbo (4:2:0 and 4:4:4),
// WebP, HEVC intra (x265 4:4:4, two presets), AV1 intra (libaom, still picture, 4:4:4) and
// JPEG XL (libjxl) through libavcodec. YCbCr is BT.601 full range (JPEG's) wherever an anchor
// takes YCbCr from our RGB; WebP and JPEG XL convert RGB themselves. Rate: the bytes the library
// wrote (a JPEG or WebP file, a raw HEVC/AV1 stream with its parameter sets, a JPEG XL
// codestream), no container beyond that.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "io/frame.h"

namespace nerv {

struct ImageAnchor {
  std::string name;                 // as given to --anchors, e.g. "hevc-444-medium"
  std::string library;              // e.g. "libx265"
  std::string unit;                 // the ladder's quality unit: "q", "qp", "crf", "d"
  std::vector<std::string> ladder;  // from the highest rate to the lowest
  // The exact settings, the ladder's value shown as <Q>.
  std::string describe() const;
};

const std::vector<ImageAnchor>& image_anchors();
// Throws nerv::Error naming the known anchors.
const ImageAnchor& find_image_anchor(const std::string& name);
// The libraries' versions, e.g. {"libjpeg-turbo", "2.1.5"}.
std::vector<std::pair<std::string, std::string>> image_anchor_versions();

struct ImageAnchorResult {
  std::vector<uint8_t> bytes;  // what the library wrote
  std::string extension;       // for the file: "jpg", "webp", "hevc", "obu", "jxl"
  Frame decoded;               // planar RGB
  double encode_s = 0, decode_s = 0;
};

// Codes `rgb` (planar RGB) at ladder value `q` and decodes it back to planar RGB.
ImageAnchorResult run_image_anchor(const ImageAnchor& a, const std::string& q, const Frame& rgb);

}  // namespace nerv
