// The `hnerv` family's decoder: rebuilds each segment's weights and embeddings from its payload
// (§3.1) and runs the network in batches.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "codec/bitstream.h"
#include "codec/config.h"
#include "codec/family.h"
#include "codec/fitter.h"
#include "codec/segment_payload.h"
#include "io/frame.h"
#include "models/graphed_step.h"
#include "models/host_copy.h"
#include "models/model.h"

namespace nerv {

class HnervDecoder final : public FamilyDecoder {
 public:
  // Runs the network on `device` in `dtype` (weights are rebuilt exactly, then converted).
  HnervDecoder(const StreamHeader& h, torch::Device device = torch::kCPU,
               torch::ScalarType dtype = torch::kFloat);

  // Parses and rebuilds the weights only (no network run). On error the reference is dropped
  // until the next intra.
  void rebuild(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
               std::vector<TensorStats>* stats) override;
  // Runs the network on the last rebuilt segment. `on_batch(first, count)`, if given, runs as
  // each batch of frames is ready (so the first frames can go out before the last are made);
  // returning false stops the segment there. On a GPU a batch's planes travel to the host
  // while the next batch is computed.
  void reconstruct(std::vector<Frame>& frames,
                   const std::function<bool(size_t first, size_t count)>& on_batch) override;
  void set_batch(int b) override { batch_ = b; }
  DecoderComplexity complexity() const override;

  InrModel& model() { return *model_; }
  const WeightState& state() const { return state_; }

 private:
  StreamHeader header_;
  QuantConfig quant_;
  std::shared_ptr<InrModel> model_;
  std::vector<TensorShape> shapes_;
  WeightState state_;
  torch::Device device_;
  torch::ScalarType dtype_;
  torch::Tensor embeddings_;  // dequantised, of the last rebuilt segment, on device_
  SegmentHeader last_header_;
  int64_t last_segment_ = -1;  // the last segment rebuilt, -1 for none
  int batch_ = 4;

  // The network and the 8-bit conversion for one batch size, over a static input tensor: on a
  // GPU recorded once as a CUDA graph (weights are updated in place, so the recording holds
  // for every segment).
  struct BatchRun {
    torch::Tensor in;                   // embeddings (or frame indices) of the batch
    std::vector<torch::Tensor> planes;  // output_planes() of the batch
    std::unique_ptr<GraphedStep> step;
  };
  std::vector<torch::Tensor> run_batch(int64_t first, int64_t count);
  std::map<int64_t, BatchRun> runs_;
  HostCopy copies_[2];  // two batches in flight: one computed, one copied
};

// Parameters, MACs and activations of an hnerv decoder network (encoder and decoder report it).
DecoderComplexity hnerv_complexity(InrModel& model);

}  // namespace nerv
