#include "codec/family.h"

#include "codec/grid_codec.h"
#include "codec/hnerv_decoder.h"
#include "codec/hnerv_encoder.h"
#include "io/error.h"

namespace nerv {
namespace {

bool is_grid(const nlohmann::json& model) {
  return model.is_object() && model.contains("arch") && model["arch"] == "grid";
}

}  // namespace

bool family_has_rate_term(const CodecConfig& cfg) {
  return is_grid(cfg.model);
}

double decoder_macs_per_pixel(const CodecConfig& cfg, int width, int height) {
  StreamHeader h;
  h.width = width;
  h.height = height;
  h.segment_frames = uint32_t(cfg.segment_frames);
  h.intra_period = uint32_t(cfg.intra_period);
  h.config = decoder_config(cfg);
  return make_family_encoder(cfg, h, torch::kCPU)->complexity().macs_per_pixel;
}

std::unique_ptr<FamilyDecoder> make_family_decoder(const StreamHeader& h, torch::Device device,
                                                   torch::ScalarType dtype) {
  if (h.config.is_object() && h.config.contains("model") && is_grid(h.config["model"]))
    return std::make_unique<GridDecoder>(h, device, dtype);
  return std::make_unique<HnervDecoder>(h, device, dtype);
}

std::unique_ptr<FamilyEncoder> make_family_encoder(const CodecConfig& cfg, const StreamHeader& h,
                                                   torch::Device device) {
  if (is_grid(cfg.model)) return std::make_unique<GridEncoder>(cfg, h, device);
  return std::make_unique<HnervEncoder>(cfg, h, device);
}

}  // namespace nerv
