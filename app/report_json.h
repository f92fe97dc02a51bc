// JSON forms of the codec's reports, shared by encode and info.
#pragma once
#include <nlohmann/json.hpp>

#include "codec/encoder.h"

namespace nerv::app {

// JSON has no infinity: identical planes give the string "inf"; NaN (no value) gives null.
nlohmann::json db_json(double v);
nlohmann::json metrics_json(const FrameMetrics& m, const std::string& ssim_kind);
nlohmann::json tensor_stats_json(const TensorStats& t);
nlohmann::json encode_report_json(const EncodeReport& r, const CodecConfig& cfg,
                                  const std::string& input, const std::string& output,
                                  uint64_t seed, int threads);

}  // namespace nerv::app
