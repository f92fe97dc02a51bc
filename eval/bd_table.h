// BD figures of a comparison: per sequence and metric, the test codec against the anchor, and
// their average over sequences (the common-test-condition way: the mean of per-sequence values).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/bd_rate.h"
#include "eval/results.h"

namespace nerv {

struct BdEntry {
  std::string sequence;  // "average" for the mean over sequences
  std::string metric;    // "psnr_yuv", "psnr_y", "psnr_rgb" or "msssim"
  BdResult rate_pchip, rate_cubic, quality_pchip, quality_cubic;
  int sequences = 1;  // for the average: how many sequences had a value (PCHIP BD-rate)
};

extern const std::vector<std::string> kBdMetrics;       // of video comparisons
extern const std::vector<std::string> kImageBdMetrics;  // of image comparisons: RGB
double metric_of(const RdPoint& p, const std::string& metric);

// Only points with status "ok" take part; rate is bits per pixel.
std::vector<BdEntry> bd_entries(const std::vector<RdPoint>& points, const std::string& anchor,
                                const std::string& test,
                                const std::vector<std::string>& metrics = kBdMetrics);
nlohmann::json to_json(const BdEntry& e);

}  // namespace nerv
