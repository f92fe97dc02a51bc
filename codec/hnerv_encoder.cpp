#include "codec/hnerv_encoder.h"

#include "base/error.h"
#include "codec/fitter.h"
#include "codec/frame_tensors.h"
#include "codec/hnerv_decoder.h"

namespace nerv {

HnervEncoder::HnervEncoder(const CodecConfig& cfg, const StreamHeader& h, torch::Device device)
    : cfg_(cfg), device_(device), model_(make_model(cfg.model, h.width, h.height)) {
  model_->to(device_);
}

std::vector<uint8_t> HnervEncoder::encode(const std::vector<Frame>& frames, const SegmentHeader& sh,
                                          FamilyDecoder& reference, uint64_t seed, bool fresh,
                                          const std::function<void(const FitProgress&)>& progress,
                                          std::vector<TensorStats>* written) {
  auto* ref = dynamic_cast<HnervDecoder*>(&reference);
  if (!ref) throw Error("hnerv encoder: the reference decoder is of another family");
  if (!fresh) {  // start from what the decoder has: the previous segment's decoded weights
    torch::NoGradGuard ng;
    NamedTensors src = ref->model().coded_tensors(), dst = model_->coded_tensors();
    for (size_t i = 0; i < src.size(); ++i) dst[i].second.copy_(src[i].second);
  }
  SegmentTensors t =
      frames_to_tensors(frames, model_->padded_width(), model_->padded_height(), device_);
  SegmentPayload p = fit_segment(*model_, t, cfg_, sh.type, fresh, fresh ? nullptr : &ref->state(),
                                 seed, progress);
  return write_segment_payload(p, sh.type, written);
}

void HnervEncoder::restore(const std::vector<torch::Tensor>& state) {
  size_t at = 0;
  restore_module_state(*model_, state, at);
  if (at != state.size()) throw Error("checkpoint: encoder state does not fit this model");
}

DecoderComplexity HnervEncoder::complexity() const {
  return hnerv_complexity(*model_);
}

}  // namespace nerv
