// JSON forms of the codec's reports, shared by encode and info.
#pragma once
#include <nlohmann/json.hpp>

#include "codec/encoder.h"
#include "codec/json_db.h"

namespace nerv::app {

nlohmann::json metrics_json(const FrameMetrics& m, const std::string& ssim_kind);
nlohmann::json tensor_stats_json(const TensorStats& t);
nlohmann::json encode_report_json(const EncodeReport& r, const CodecConfig& cfg,
                                  const std::string& input, const std::string& output,
                                  uint64_t seed, int threads);

}  // namespace nerv::app
