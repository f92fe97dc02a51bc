// Anchor codecs for rate-distortion comparisons, run in-process through libavcodec with fixed,
// written-down settings (docs/compare.md): constant QP, psycho-visual tuning off, a fixed
// key-frame interval and no scene-cut detection, so the ladder measures the coding tools only.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace nerv {

struct AnchorSettings {
  std::string preset;  // encoder speed preset; empty: the anchor's default
  int keyint = 64;     // frames between key frames
};

struct Anchor {
  std::string name;       // as given to --anchor: "x265", "x264", "svtav1"
  std::string encoder;    // libavcodec encoder
  std::string extension;  // raw elementary stream file
  std::string default_preset;
  std::vector<int> default_qps;

  // The encoder options for one point of the ladder.
  std::vector<std::pair<std::string, std::string>> options(int qp, const AnchorSettings& s) const;
  // The options of the whole ladder as one line, the QP shown as <QP>.
  std::string describe(const AnchorSettings& s) const;
};

// Throws nerv::Error naming the known anchors.
const Anchor& find_anchor(const std::string& name);
std::vector<std::string> anchor_names();

// The encoder library's own version string, read from what it writes into a tiny stream
// (x265 and x264 identify themselves in an SEI message); "unknown" if it does not say.
std::string anchor_version(const Anchor& a);

}  // namespace nerv
