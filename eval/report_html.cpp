#include "eval/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

extern "C" {
#include <libavutil/base64.h>
}

#include "base/error.h"
#include "io/temp_output.h"

namespace nerv {
namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string base64(const std::string& in) {
  std::string out(size_t(AV_BASE64_SIZE(in.size())), '\0');
  if (!av_base64_encode(out.data(), int(out.size()), reinterpret_cast<const uint8_t*>(in.data()),
                        int(in.size())))
    throw Error("image too large to embed in the report");
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// A JSON value as table text: numbers to `digits` decimals, null as "n/a".
std::string cell(const nlohmann::json& v, int digits) {
  if (v.is_null()) return "n/a";
  if (v.is_string()) return esc(v.get<std::string>());
  if (v.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v.get<double>());
    return buf;
  }
  return esc(v.dump());
}

std::string bd_cell(const nlohmann::json& r, int digits, const char* unit) {
  if (!r.contains("value") || r["value"].is_null())
    return "<span title=\"" + esc(r.value("reason", "")) + "\">n/a</span>";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.*f%s", digits, r["value"].get<double>(), unit);
  return buf;
}

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::string png_img(const std::string& path, const std::string& alt, const char* style) {
  std::string data = file_bytes(path);
  if (data.empty()) return "<p>(missing: " + esc(path) + ")</p>";
  return "<img alt=\"" + esc(alt) + "\" style=\"" + style + "\" src=\"data:image/png;base64," +
         base64(data) + "\">";
}

// The settings table: `rows` first, then rate, quality, the versions and the machine.
void settings_table(std::ostringstream& h, const nlohmann::json& results,
                    std::vector<std::pair<std::string, std::string>> rows) {
  const nlohmann::json& s = results["settings"];
  rows.emplace_back("Rate", s["rate"].get<std::string>());
  rows.emplace_back("Quality", s["quality"].get<std::string>());
  for (auto it = results["versions"].begin(); it != results["versions"].end(); ++it)
    rows.emplace_back("Version: " + it.key(), it.value().get<std::string>());
  for (auto it = results["machine"].begin(); it != results["machine"].end(); ++it)
    rows.emplace_back("Machine: " + it.key(),
                      it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  h << "<h2>Settings</h2>\n<table>\n";
  for (const auto& [k, v] : rows)
    h << "<tr><th class=\"l\">" << esc(k) << "</th><td class=\"l\">" << esc(v) << "</td></tr>\n";
  h << "</table>\n";
}

const char* kStyle =
    "body{font-family:sans-serif;margin:2em auto;max-width:1450px;color:#222}\n"
    "table{border-collapse:collapse;margin:0.6em 0 1.6em}"
    "td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}"
    "th{background:#eee}td.l,th.l{text-align:left}\n"
    "img{max-width:100%;border:1px solid #ddd}code{background:#f4f4f4}\n"
    "figure{display:inline-block;margin:0 8px 12px 0;vertical-align:top}"
    "figcaption{font-size:85%;max-width:384px}\n";

}  // namespace

void write_report_html(const std::string& path, const nlohmann::json& results,
                       const std::vector<std::pair<std::string, std::string>>& plots) {
  const nlohmann::json& s = results["settings"];
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    << "<title>nervc vs " << esc(s["anchor"]["name"].get<std::string>())
    << ": rate-distortion report</title>\n<style>\n"
    << kStyle << "</style></head><body>\n";
  h << "<h1>nervc vs " << esc(s["anchor"]["name"].get<std::string>())
    << ": rate-distortion</h1>\n<p>Generated " << esc(results.value("created", "")) << " by "
    << esc(results["versions"].value("nervc", "")) << ".</p>\n";

  settings_table(h, results,
                 {{"Anchor", s["anchor"]["description"].get<std::string>()},
                  {"Anchor QPs", s["anchor"]["qps"].dump()},
                  {"nervc presets", s["nervc"]["presets"].dump()},
                  {"nervc", s["nervc"]["description"].get<std::string>()},
                  {"Frames per sequence", s["frames"].dump()}});

  h << "<h2>BD figures (nervc against the anchor)</h2>\n<p>Negative BD-rate: nervc needs less "
       "rate for the same quality. BD-quality is in dB for PSNR. PCHIP: the JCT-VC/JVET "
       "spreadsheet's interpolation; cubic: the original polynomial fit. n/a: hover for the "
       "reason.</p>\n<table><tr><th class=\"l\">Sequence</th><th class=\"l\">Metric</th>"
       "<th>BD-rate PCHIP</th><th>BD-rate cubic</th><th>BD-quality PCHIP</th>"
       "<th>BD-quality cubic</th><th class=\"l\">Note</th></tr>\n";
  for (const auto& e : results["bd"]) {
    bool db = e["metric"] != "msssim";
    int qd = db ? 3 : 5;
    h << "<tr><td class=\"l\">" << esc(e["sequence"].get<std::string>()) << "</td><td class=\"l\">"
      << esc(e["metric"].get<std::string>()) << "</td><td>"
      << bd_cell(e["bd_rate_percent_pchip"], 2, " %") << "</td><td>"
      << bd_cell(e["bd_rate_percent_cubic"], 2, " %") << "</td><td>"
      << bd_cell(e["bd_quality_pchip"], qd, db ? " dB" : "") << "</td><td>"
      << bd_cell(e["bd_quality_cubic"], qd, db ? " dB" : "") << "</td><td class=\"l\">"
      << esc([&] {  // the first reason of a missing figure
           for (const char* k : {"bd_rate_percent_pchip", "bd_rate_percent_cubic",
                                 "bd_quality_pchip", "bd_quality_cubic"})
             if (e[k].contains("reason"))
               return std::string(k) + ": " + e[k]["reason"].get<std::string>();
           return std::string();
         }())
      << "</td></tr>\n";
  }
  h << "</table>\n";

  for (const auto& [seq, png] : plots) {
    h << "<h2>" << esc(seq) << "</h2>\n";
    std::ifstream f(png, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (!data.empty())
      h << "<img alt=\"RD curves of " << esc(seq) << "\" src=\"data:image/png;base64,"
        << base64(data) << "\">\n";
    h << "<table><tr><th class=\"l\">Codec</th><th class=\"l\">Setting</th><th>Bytes</th>"
         "<th>bpp</th><th>kbps</th><th>YUV-PSNR</th><th>Y-PSNR</th><th>RGB-PSNR</th>"
         "<th>MS-SSIM</th><th>Encode s</th><th>Decode s</th><th>Decode fps</th>"
         "<th class=\"l\">Status</th></tr>\n";
    for (const auto& p : results["points"]) {
      if (p["sequence"] != seq) continue;
      h << "<tr><td class=\"l\">" << cell(p["codec"], 0) << "</td><td class=\"l\">"
        << cell(p["setting"], 0) << "</td><td>" << cell(p["bytes"], 0) << "</td><td>"
        << cell(p["bpp"], 4) << "</td><td>" << cell(p["kbps"], 1) << "</td><td>"
        << cell(p["psnr_yuv"], 2) << "</td><td>" << cell(p["psnr_y"], 2) << "</td><td>"
        << cell(p["psnr_rgb"], 2) << "</td><td>" << cell(p["msssim"], 4) << "</td><td>"
        << cell(p["encode_s"], 1) << "</td><td>" << cell(p["decode_s"], 2) << "</td><td>"
        << cell(p["decode_fps"], 1) << "</td><td class=\"l\">" << cell(p["status"], 0)
        << "</td></tr>\n";
    }
    h << "</table>\n";
  }
  h << "</body></html>\n";

  write_file(path, h.str());
}

void write_image_report_html(const std::string& path, const nlohmann::json& results,
                             const std::vector<std::pair<std::string, std::string>>& plots,
                             const std::string& crops_dir) {
  const nlohmann::json& s = results["settings"];
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    << "<title>nervc on still images: rate-distortion report</title>\n<style>\n"
    << kStyle << "</style></head><body>\n"
    << "<h1>nervc on still images: rate-distortion against " << s["anchors"].size()
    << " anchors</h1>\n<p>Generated " << esc(results.value("created", "")) << " by "
    << esc(results["versions"].value("nervc", "")) << ".</p>\n";

  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& a : s["anchors"])
    rows.emplace_back("Anchor " + a["name"].get<std::string>(),
                      a["command"].get<std::string>() + "; ladder " + a["unit"].get<std::string>() +
                          " " + a["ladder"].dump());
  rows.emplace_back("nervc presets",
                    s["nervc"]["presets"].dump() + ", lambdas " + s["nervc"]["lambdas"].dump());
  rows.emplace_back("nervc", s["nervc"]["description"].get<std::string>());
  settings_table(h, results, rows);

  h << "<h2>BD-rate of nervc against each anchor, averaged over the images</h2>\n<p>Negative: "
       "nervc needs less rate for the same quality (PCHIP interpolation; the mean of the "
       "per-image values; n/a: hover for the reason).</p>\n<table><tr><th class=\"l\">Anchor"
       "</th><th>RGB-PSNR</th><th>MS-SSIM</th><th>BD-PSNR (dB)</th><th>Images with a value"
       "</th></tr>\n";
  auto find = [&](const std::string& anchor, const std::string& seq, const std::string& metric) {
    for (const auto& e : results["bd"])
      if (e["anchor"] == anchor && e["sequence"] == seq && e["metric"] == metric) return e;
    return nlohmann::json();
  };
  for (const auto& a : s["anchors"]) {
    std::string n = a["name"];
    nlohmann::json p = find(n, "average", "psnr_rgb"), m = find(n, "average", "msssim");
    if (p.is_null()) continue;
    h << "<tr><td class=\"l\">" << esc(n) << "</td><td>"
      << bd_cell(p["bd_rate_percent_pchip"], 2, " %") << "</td><td>"
      << (m.is_null() ? "n/a" : bd_cell(m["bd_rate_percent_pchip"], 2, " %")) << "</td><td>"
      << bd_cell(p["bd_quality_pchip"], 3, "") << "</td><td>"
      << cell(p.value("sequences_with_value", nlohmann::json()), 0) << "</td></tr>\n";
  }
  h << "</table>\n";

  for (const auto& plot : plots) {
    const std::string& image = plot.first;  // a name, not a structured binding: lambdas use it
    h << "<h2>" << esc(image) << "</h2>\n" << png_img(plot.second, "RD curves of " + image, "");
    // Crops: nervc's middle point, and each anchor's point nearest to it in log rate.
    std::vector<nlohmann::json> mine;
    for (const auto& p : results["points"])
      if (p["sequence"] == image && p["codec"] == "nervc" && p["status"] == "ok") mine.push_back(p);
    if (!mine.empty()) {
      std::sort(mine.begin(), mine.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return a["bpp"].get<double>() < b["bpp"].get<double>();
      });
      const nlohmann::json& t = mine[mine.size() / 2];
      double bpp = t["bpp"].get<double>();
      auto figure = [&](const nlohmann::json& p) {
        char cap[160];
        std::snprintf(cap, sizeof cap, "%s %s: %.3f bpp, RGB-PSNR %.2f dB",
                      p["codec"].get<std::string>().c_str(),
                      p["setting"].get<std::string>().c_str(), p["bpp"].get<double>(),
                      p["psnr_rgb"].get<double>());
        std::string file = crops_dir + "/" + image + "." + p["codec"].get<std::string>() + "." +
                           p["setting"].get<std::string>() + ".png";
        h << "<figure>" << png_img(file, cap, "width:384px;image-rendering:pixelated")
          << "<figcaption>" << esc(cap) << "</figcaption></figure>\n";
      };
      h << "<h3>Centre crops (shown at 2&times;)</h3>\n<figure>"
        << png_img(crops_dir + "/" + image + ".source.png", "source",
                   "width:384px;image-rendering:pixelated")
        << "<figcaption>source</figcaption></figure>\n";
      figure(t);
      for (const auto& a : s["anchors"]) {
        const nlohmann::json* best = nullptr;
        for (const auto& p : results["points"])
          if (p["sequence"] == image && p["codec"] == a["name"] && p["status"] == "ok" &&
              (!best || std::fabs(std::log(p["bpp"].get<double>() / bpp)) <
                            std::fabs(std::log((*best)["bpp"].get<double>() / bpp))))
            best = &p;
        if (best) figure(*best);
      }
    }
    h << "<table><tr><th class=\"l\">Codec</th><th class=\"l\">Setting</th><th>Bytes</th>"
         "<th>bpp</th><th>RGB-PSNR</th><th>MS-SSIM (RGB)</th><th>YUV-PSNR (BT.601 full)</th>"
         "<th>Encode s</th><th>Decode s</th><th class=\"l\">Status</th></tr>\n";
    for (const auto& p : results["points"]) {
      if (p["sequence"] != image) continue;
      h << "<tr><td class=\"l\">" << cell(p["codec"], 0) << "</td><td class=\"l\">"
        << cell(p["setting"], 0) << "</td><td>" << cell(p["bytes"], 0) << "</td><td>"
        << cell(p["bpp"], 4) << "</td><td>" << cell(p["psnr_rgb"], 2) << "</td><td>"
        << cell(p["msssim"], 4) << "</td><td>" << cell(p["psnr_yuv"], 2) << "</td><td>"
        << cell(p["encode_s"], 2) << "</td><td>" << cell(p["decode_s"], 3)
        << "</td><td class=\"l\">" << cell(p["status"], 0) << "</td></tr>\n";
    }
    h << "</table>\n";
  }
  h << "</body></html>\n";
  write_file(path, h.str());
}

}  // namespace nerv
