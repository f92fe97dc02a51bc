#include "app/report_json.h"

#include <cmath>

namespace nerv::app {

nlohmann::json metrics_json(const FrameMetrics& m, const std::string& ssim_kind) {
  return {{"psnr_y", db_json(m.psnr_y)},
          {"psnr_u", db_json(m.psnr_u)},
          {"psnr_v", db_json(m.psnr_v)},
          {"psnr_yuv", db_json(m.psnr_yuv)},
          {"psnr_rgb", db_json(m.psnr_rgb)},
          {ssim_kind == "ms-ssim" ? "msssim" : "ssim", db_json(m.ssim)}};
}

nlohmann::json tensor_stats_json(const TensorStats& t) {
  nlohmann::json j = {{"name", t.name},
                      {"symbols", t.symbols},
                      {"bytes", t.bytes},
                      {"coder", t.coder},
                      {"entropy_bytes", t.entropy_bits / 8}};
  if (t.cabac_bytes || t.hts_bytes) {
    j["cabac_bytes"] = t.cabac_bytes;
    j["arith_bytes"] = t.hts_bytes;
  }
  return j;
}

nlohmann::json encode_report_json(const EncodeReport& r, const CodecConfig& cfg,
                                  const std::string& input, const std::string& output,
                                  uint64_t seed, int threads) {
  nlohmann::json segs = nlohmann::json::array();
  for (const SegmentReport& s : r.segments) {
    nlohmann::json tensors = nlohmann::json::array();
    for (const TensorStats& t : s.tensors) tensors.push_back(tensor_stats_json(t));
    segs.push_back({{"index", s.index},
                    {"type", s.type == SegmentType::Intra ? "intra" : "residual"},
                    {"first_frame", s.first_frame},
                    {"frames", s.frames},
                    {"bytes", s.bytes},
                    {"seconds", s.seconds},
                    {"train_seconds", s.train_seconds},
                    {"psnr_yuv", db_json(s.psnr_yuv)},
                    {"tensors", tensors}});
  }
  return {{"input", input},
          {"output", output},
          {"preset", cfg.name},
          {"seed", seed},
          {"threads", threads},
          {"train",
           {{"epochs", cfg.train.epochs},
            {"warm_epochs", cfg.train.warm_epochs},
            {"qat_epochs", cfg.train.qat_epochs},
            {"batch_size", cfg.train.batch_size}}},
          {"device", r.device},
          {"width", r.width},
          {"height", r.height},
          {"fps", r.fps.value()},
          {"frames", r.frames},
          {"bytes", r.bytes},
          {"bpp", r.bpp()},
          {"kbps", r.kbps()},
          {"encode_seconds", r.seconds},
          {"decoder_params", r.decoder_params},
          {"decoder_macs_per_pixel", r.decoder_macs_per_pixel},
          {"ssim_kind", r.metrics.ssim_kind},
          {"metrics", metrics_json(r.metrics.mean, r.metrics.ssim_kind)},
          {"segments", segs}};
}

}  // namespace nerv::app
