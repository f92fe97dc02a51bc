// The `grid` family (models/latent_grid.h) as a codec: its payload (§8 of docs/bitstream.md:
// power-of-two quantisation steps, synthesis and context-model weights as coded blocks, each
// level's latents range-coded under the integer context model), its decoder, and its training
// recipe (distortion + lambda * rate with noisy latents, then hard-rounded latents, then a
// rate-distortion search of the weights' quantisation steps).
#pragma once
#include <array>
#include <memory>

#include "codec/family.h"
#include "codec/frame_tensors.h"
#include "codec/grid_predictor.h"
#include "codec/grid_prior.h"
#include "models/latent_grid.h"

namespace nerv {

// Quantisation steps 2^-shift: synthesis weights and biases, context-model weights and biases.
struct GridSteps {
  std::array<uint8_t, 4> shift{};
};

// The decoded state of the last segment: what a residual segment is coded against.
struct GridState {
  GridSteps steps;
  std::vector<std::vector<int32_t>> q;  // every transmitted tensor, synthesis then ARM
};

class GridDecoder final : public FamilyDecoder {
 public:
  GridDecoder(const StreamHeader& h, torch::Device device, torch::ScalarType dtype);
  void rebuild(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
               std::vector<TensorStats>* stats) override;
  void reconstruct(std::vector<Frame>& frames,
                   const std::function<bool(size_t, size_t)>& on_batch) override;
  void set_batch(int b) override { batch_ = b; }
  DecoderComplexity complexity() const override;

  LatentGrid& model() { return *model_; }
  const GridState& state() const { return state_; }
  // The integer latents of the last rebuilt segment, per level, and its context model.
  const std::vector<std::vector<int32_t>>& latents() const { return latents_; }
  const ArmInt& arm() const { return arm_; }

 private:
  StreamHeader header_;
  std::shared_ptr<LatentGrid> model_;
  std::shared_ptr<const GridPrior> prior_;  // what intra weights are coded against, or null
  torch::Device device_;
  torch::ScalarType dtype_;
  GridState state_;
  std::vector<std::vector<int32_t>> latents_;
  std::vector<torch::Tensor> upsampled_;  // latents_ upsampled during rebuild() (CPU), or empty
  ArmInt arm_;
  SegmentHeader last_header_;
  int64_t last_segment_ = -1;  // the last segment rebuilt, -1 for none
  int batch_ = 4;
};

class GridEncoder final : public FamilyEncoder {
 public:
  // With a prior, every intra segment starts from the prior's weights and zero latents (its
  // fit depends on nothing before it); without, from the previous segment's. With a predictor
  // (which needs the prior it was trained with), every segment's latents start from its
  // prediction.
  GridEncoder(const CodecConfig& cfg, const StreamHeader& h, torch::Device device,
              std::shared_ptr<const GridPrior> prior = nullptr,
              std::shared_ptr<const GridPredictor> predictor = nullptr);
  std::vector<uint8_t> encode(const std::vector<Frame>& frames, const SegmentHeader& sh,
                              FamilyDecoder& reference, uint64_t seed, bool fresh,
                              const std::function<void(const FitProgress&)>& progress,
                              std::vector<TensorStats>* written) override;
  DecoderComplexity complexity() const override;
  // The model's tensors, then the last segment's unrounded latents.
  std::vector<torch::Tensor> state() const override;
  void restore(const std::vector<torch::Tensor>& state) override;

 private:
  CodecConfig cfg_;
  StreamHeader header_;
  torch::Device device_;
  std::shared_ptr<LatentGrid> model_;
  std::shared_ptr<const GridPrior> prior_;
  std::shared_ptr<LatentPredictor> predictor_;
  std::vector<torch::Tensor> last_latents_;  // warm start of the next segment's latents
};

// The training recipe of a segment: `steps` steps of distortion + lambda * rate with noisy latents
// (warm-up, then a cosine learning rate), then `hard` steps with the latents rounded straight
// through. `nets` are the model's transmitted tensors; `lat` the latents (trained in place);
// `before` as LatentGrid::rate_bits. Leaves the model in eval mode.
void fit_grid(LatentGrid& model, const StreamHeader& h, const std::vector<torch::Tensor>& nets,
              std::vector<torch::Tensor>& lat, const std::vector<torch::Tensor>& before,
              const SegmentTensors& d, const TrainConfig& tc, int steps, int hard, uint64_t seed,
              const std::function<void(const FitProgress&)>& progress);

// Exposed for tests: the latents of one level coded under `arm` (§8.3), and their exact cost.
// `before` (H * W values, or null for zeros) is the frame ahead of the level's first.
std::vector<uint8_t> encode_level(const ArmInt& arm, const std::vector<int32_t>& latents,
                                  const std::array<int64_t, 3>& shape, double* bits = nullptr,
                                  const int32_t* before = nullptr);
std::vector<int32_t> decode_level(const ArmInt& arm, const uint8_t* p, size_t n,
                                  const std::array<int64_t, 3>& shape, const std::string& where,
                                  const int32_t* before = nullptr);
// The context model's Q8 integers from its transmitted symbols and steps (§8.2).
ArmInt arm_from_symbols(int hidden, const std::vector<std::vector<int32_t>>& arm_q,
                        const GridSteps& steps, const std::string& where);

}  // namespace nerv
