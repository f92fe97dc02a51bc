// One measured rate-distortion point of a comparison, and its CSV and JSON forms.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/csv.h"

namespace nerv {

struct RdPoint {
  std::string sequence;       // input file name without extension
  std::string codec;          // "nervc" or the anchor's name
  std::string setting;        // preset name ("xs") or QP ("qp32")
  std::string status = "ok";  // or the one-line reason the point failed
  int width = 0, height = 0;
  int64_t frames = 0;
  double fps = 0;
  uint64_t bytes = 0;  // the whole stream: .nerv file, or HEVC/AVC/AV1 elementary stream
  double bpp = 0, kbps = 0;
  double psnr_yuv = 0, psnr_y = 0, psnr_rgb = 0;
  double msssim = 0;  // MS-SSIM of luma (SSIM for frames under 161 pixels: see ssim_kind)
  std::string ssim_kind;
  double encode_s = 0, decode_s = 0, decode_fps = 0;
  bool ok() const { return status == "ok"; }
  // Identifies the point for --resume.
  std::string key() const { return sequence + "|" + codec + "|" + setting; }
};

std::string rd_csv_header();
std::string to_csv_line(const RdPoint& p);
// Reads a results.csv written by rd_csv_header()/to_csv_line().
std::vector<RdPoint> read_rd_points(const CsvTable& t);
nlohmann::json to_json(const RdPoint& p);

}  // namespace nerv
