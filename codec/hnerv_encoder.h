// The `hnerv` family's encoder: fits the network and embeddings of each segment (fitter.h),
// warm-started from the previous segment's decoded weights, and writes the §3.1 payload.
#pragma once
#include <memory>

#include "codec/family.h"
#include "models/model.h"

namespace nerv {

class HnervEncoder final : public FamilyEncoder {
 public:
  HnervEncoder(const CodecConfig& cfg, const StreamHeader& h, torch::Device device);
  std::vector<uint8_t> encode(const std::vector<Frame>& frames, const SegmentHeader& sh,
                              FamilyDecoder& reference, uint64_t seed, bool fresh,
                              const std::function<void(const FitProgress&)>& progress,
                              std::vector<TensorStats>* written) override;
  DecoderComplexity complexity() const override;
  std::vector<torch::Tensor> state() const override { return module_state(*model_); }
  void restore(const std::vector<torch::Tensor>& state) override;

 private:
  CodecConfig cfg_;
  torch::Device device_;
  std::shared_ptr<InrModel> model_;
};

}  // namespace nerv
