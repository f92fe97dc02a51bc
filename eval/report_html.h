// report.html: one self-contained page (plots embedded as data: URIs, no scripts, no network)
// with a comparison's settings, BD figures, per-point tables and RD plots.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace nerv {

// `results` is what results.json holds; `plots` pairs a sequence with its PNG file.
void write_report_html(const std::string& path, const nlohmann::json& results,
                       const std::vector<std::pair<std::string, std::string>>& plots);

// The same for `compare --images` (several anchors, RGB), with a crop viewer per image: the
// centre crops in `crops_dir` (IMAGE.source.png, IMAGE.CODEC.SETTING.png) of nervc's middle
// point and of each anchor's point nearest to it in rate, side by side.
void write_image_report_html(const std::string& path, const nlohmann::json& results,
                             const std::vector<std::pair<std::string, std::string>>& plots,
                             const std::string& crops_dir);

}  // namespace nerv
