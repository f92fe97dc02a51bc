#include "eval/anchor.h"

#include <algorithm>

#include "base/error.h"
#include "io/elementary.h"

namespace nerv {
namespace {

std::string preset_of(const Anchor& a, const AnchorSettings& s) {
  return s.preset.empty() ? a.default_preset : s.preset;
}

const std::vector<Anchor>& anchors() {
  static const std::vector<Anchor> list = {
      {"x265", "libx265", "hevc", "medium", {22, 27, 32, 37, 42, 47}},
      {"x264", "libx264", "h264", "medium", {22, 27, 32, 37, 42, 47}},
      {"svtav1", "libsvtav1", "obu", "8", {27, 35, 43, 51, 59}},
  };
  return list;
}

}  // namespace

namespace {

std::vector<std::pair<std::string, std::string>> options_for(const Anchor& a, const std::string& q,
                                                             const AnchorSettings& s) {
  const std::string& name = a.name;
  std::string k = std::to_string(s.keyint), p = preset_of(a, s);
  if (name == "x265")
    return {{"preset", p},
            {"tune", "psnr"},
            {"x265-params", "qp=" + q + ":keyint=" + k + ":min-keyint=" + k +
                                ":scenecut=0:info=0:log-level=error"}};
  if (name == "x264")
    return {{"preset", p},
            {"tune", "psnr"},
            {"qp", q},
            {"x264-params", "keyint=" + k + ":min-keyint=" + k + ":scenecut=0"}};
  // SVT-AV1: constant QP (FFmpeg selects CQP when qp is set), no scene-change detection.
  return {{"preset", p}, {"qp", q}, {"svtav1-params", "keyint=" + k + ":scd=0"}};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Anchor::options(int qp,
                                                                 const AnchorSettings& s) const {
  return options_for(*this, std::to_string(qp), s);
}

std::string Anchor::describe(const AnchorSettings& s) const {
  std::string out = encoder;
  for (const auto& [key, value] : options_for(*this, "<QP>", s)) out += " " + key + "=" + value;
  return out;
}

const Anchor& find_anchor(const std::string& name) {
  for (const Anchor& a : anchors())
    if (a.name == name) return a;
  std::string known;
  for (const std::string& n : anchor_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown anchor '" + name + "' (known: " + known + ")");
}

std::vector<std::string> anchor_names() {
  std::vector<std::string> out;
  for (const Anchor& a : anchors()) out.push_back(a.name);
  return out;
}

std::string anchor_version(const Anchor& a) {
  Frame f;
  f.resize(64, 64, PixFmt::YUV420P);
  for (auto& p : f.planes) std::fill(p.begin(), p.end(), uint8_t(128));
  ElementaryOptions opt;
  opt.encoder = a.encoder;
  if (a.name == "x265") opt.options = {{"x265-params", "log-level=error"}};  // info SEI kept
  ElementaryStream s = encode_elementary({f}, opt);
  std::string bytes(s.bytes.begin(), s.bytes.end());
  for (const char* marker : {"x265 (build", "x264 - core"}) {
    size_t at = bytes.find(marker);
    if (at == std::string::npos) continue;
    std::string v = bytes.substr(at, 160);
    for (const char* end : {":[", " - H.26"}) v = v.substr(0, v.find(end));
    return v;
  }
  return "unknown";
}

}  // namespace nerv
