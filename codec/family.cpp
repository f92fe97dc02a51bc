#include "codec/family.h"

#include "base/error.h"
#include "codec/grid_codec.h"
#include "codec/hnerv_decoder.h"
#include "codec/hnerv_encoder.h"

namespace nerv {
namespace {

bool is_grid(const nlohmann::json& model) {
  return model.is_object() && model.contains("arch") && model["arch"] == "grid";
}

// HNeRV predicts 4:2:0 planes only.
void require_yuv420(const StreamHeader& h) {
  if (h.pix_fmt != PixFmt::YUV420P)
    throw Error(std::string("the hnerv family codes yuv420p video only, not ") +
                to_string(h.pix_fmt) + ": use a grid preset (e.g. image) for still images");
}

}  // namespace

bool family_has_rate_term(const CodecConfig& cfg) {
  return is_grid(cfg.model);
}

void set_lambda(CodecConfig& cfg, double lambda) {
  if (!family_has_rate_term(cfg))
    throw Error("lambda applies to rate-trained presets (grid), not '" + cfg.name + "'");
  cfg.train.lambda = lambda;
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
  require_yuv420(h);
  return std::make_unique<HnervDecoder>(h, device, dtype);
}

std::unique_ptr<FamilyEncoder> make_family_encoder(const CodecConfig& cfg, const StreamHeader& h,
                                                   torch::Device device,
                                                   std::shared_ptr<const GridPrior> prior,
                                                   std::shared_ptr<const GridPredictor> predictor) {
  if (is_grid(cfg.model))
    return std::make_unique<GridEncoder>(cfg, h, device, std::move(prior), std::move(predictor));
  if (prior) throw Error("a prior applies to the grid family, not '" + cfg.name + "'");
  if (predictor) throw Error("a predictor applies to the grid family, not '" + cfg.name + "'");
  require_yuv420(h);
  return std::make_unique<HnervEncoder>(cfg, h, device);
}

std::vector<torch::Tensor> module_state(const torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& t : m.parameters()) out.push_back(t.detach().to(torch::kCPU).clone());
  for (const auto& t : m.buffers()) out.push_back(t.detach().to(torch::kCPU).clone());
  return out;
}

void restore_module_state(torch::nn::Module& m, const std::vector<torch::Tensor>& state,
                          size_t& at) {
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> dst = m.parameters();
  for (const auto& b : m.buffers()) dst.push_back(b);
  for (auto& d : dst) {
    if (at >= state.size() || !state[at].sizes().equals(d.sizes()) ||
        state[at].scalar_type() != d.scalar_type())
      throw Error("checkpoint: encoder state does not fit this model");
    d.copy_(state[at++]);
  }
}

}  // namespace nerv
