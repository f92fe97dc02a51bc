// Fits one segment: trains the network on the segment's frames, quantises the embeddings and
// the decoder weights, fine-tunes with quantisation in the loop, and returns the integers the
// segment payload carries.
#pragma once
#include <functional>
#include <vector>

#include "codec/config.h"
#include "codec/family.h"
#include "codec/frame_tensors.h"
#include "codec/segment_payload.h"
#include "models/model.h"

namespace nerv {

// The previous segment's decoded state: what a residual segment is coded against.
struct WeightState {
  std::vector<WeightGrid> grids;        // from the last intra segment
  std::vector<std::vector<int32_t>> q;  // quantised weights of the previous segment
};

// `model` holds the starting weights (fresh for the first segment, the previous segment's
// decoded weights otherwise). `prev` is required for a residual segment.
SegmentPayload fit_segment(InrModel& model, const SegmentTensors& data, const CodecConfig& cfg,
                           SegmentType type, bool first, const WeightState* prev, uint64_t seed,
                           const std::function<void(const FitProgress&)>& progress);

// The temporal penalty of residual segments, l1 · mean(|w − anchor| / step) over the decoder's
// (flat) weights, enters training only through its (sub)gradient, added straight to the flat
// gradient: add_temporal_penalty_grad() adds sign(w − anchor) · scale, where
// scale = temporal_penalty_scale(step, l1) = l1 / (step · numel).
torch::Tensor temporal_penalty_scale(const torch::Tensor& step, double l1);
void add_temporal_penalty_grad(torch::Tensor& grad, const torch::Tensor& w,
                               const torch::Tensor& anchor, const torch::Tensor& scale);

// The coded tensors' shapes, in bitstream order.
std::vector<TensorShape> coded_shapes(InrModel& model);

}  // namespace nerv
