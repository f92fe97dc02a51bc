#include "eval/results.h"

#include <cmath>
#include <cstdio>

#include "codec/json_db.h"

namespace nerv {
namespace {

const char* const kColumns[] = {"sequence",  "codec",    "setting",  "status",    "width",
                                "height",    "frames",   "fps",      "bytes",     "bpp",
                                "kbps",      "psnr_yuv", "psnr_y",   "psnr_rgb",  "msssim",
                                "ssim_kind", "encode_s", "decode_s", "decode_fps"};

std::string num(double v, int digits) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string rd_csv_header() {
  std::string s;
  for (const char* c : kColumns) s += (s.empty() ? "" : ",") + std::string(c);
  return s;
}

// Enough digits that --resume reproduces the BD figures of an uninterrupted run.
std::string to_csv_line(const RdPoint& p) {
  std::vector<std::string> f = {csv_field(p.sequence),    csv_field(p.codec),
                                csv_field(p.setting),     csv_field(p.status),
                                std::to_string(p.width),  std::to_string(p.height),
                                std::to_string(p.frames), num(p.fps, 4),
                                std::to_string(p.bytes),  num(p.bpp, 9),
                                num(p.kbps, 4),           num(p.psnr_yuv, 6),
                                num(p.psnr_y, 6),         num(p.psnr_rgb, 6),
                                num(p.msssim, 8),         csv_field(p.ssim_kind),
                                num(p.encode_s, 3),       num(p.decode_s, 3),
                                num(p.decode_fps, 2)};
  std::string s;
  for (const std::string& x : f) s += (s.empty() ? "" : ",") + x;
  return s;
}

std::vector<RdPoint> read_rd_points(const CsvTable& t) {
  std::vector<size_t> col;
  for (const char* c : kColumns) col.push_back(t.column(c));
  std::vector<RdPoint> out;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    auto n = [&](int i) { return t.number(r, col[i]); };
    RdPoint p;
    p.sequence = row[col[0]];
    p.codec = row[col[1]];
    p.setting = row[col[2]];
    p.status = row[col[3]];
    p.width = int(n(4));
    p.height = int(n(5));
    p.frames = int64_t(n(6));
    p.fps = n(7);
    p.bytes = uint64_t(n(8));
    p.bpp = n(9);
    p.kbps = n(10);
    p.psnr_yuv = n(11);
    p.psnr_y = n(12);
    p.psnr_rgb = n(13);
    p.msssim = n(14);
    p.ssim_kind = row[col[15]];
    p.encode_s = n(16);
    p.decode_s = n(17);
    p.decode_fps = n(18);
    out.push_back(std::move(p));
  }
  return out;
}

nlohmann::json to_json(const RdPoint& p) {
  return {{"sequence", p.sequence},
          {"codec", p.codec},
          {"setting", p.setting},
          {"status", p.status},
          {"width", p.width},
          {"height", p.height},
          {"frames", p.frames},
          {"fps", p.fps},
          {"bytes", p.bytes},
          {"bpp", p.bpp},
          {"kbps", p.kbps},
          {"psnr_yuv", db_json(p.psnr_yuv)},
          {"psnr_y", db_json(p.psnr_y)},
          {"psnr_rgb", db_json(p.psnr_rgb)},
          {"msssim", db_json(p.msssim)},
          {"ssim_kind", p.ssim_kind},
          {"encode_s", p.encode_s},
          {"decode_s", p.decode_s},
          {"decode_fps", p.decode_fps}};
}

}  // namespace nerv
