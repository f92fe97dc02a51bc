// Between nervc frames (8-bit YUV 4:2:0, or planar RGB for still images) and the tensors the
// networks see. HNeRV predicts YUV 4:4:4 at the padded size; luma is cropped, chroma is
// cropped and 2x2-averaged to 4:2:0, so the loss and the decoded frames measure exactly the
// planes that are scored.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "io/frame.h"

namespace nerv {

// For RGB frames `y` holds R and `uv` G and B, all at full resolution.
struct SegmentTensors {
  torch::Tensor input;  // [N, 3, Hp, Wp] 4:4:4 in [0, 1], chroma repeated, edges replicated
  torch::Tensor y;      // [N, 1, H, W] in [0, 1]
  torch::Tensor uv;     // [N, 2, Hc, Wc] in [0, 1]: ceil(H/2) x ceil(W/2) for 4:2:0
};

SegmentTensors frames_to_tensors(const std::vector<Frame>& frames, int padded_w, int padded_h,
                                 torch::Device device);

// Network output [N, 3, Hp, Wp] -> luma [N, 1, H, W] and 4:2:0 chroma [N, 2, Hc, Wc].
void split_output(const torch::Tensor& out, int w, int h, torch::Tensor& y, torch::Tensor& uv);

// Samples in [0, 1] -> 8 bits: clamp(round_half_even(255 * v), 0, 255), where they are.
torch::Tensor to_8bit(const torch::Tensor& t);

// Network output [N, 3, Hp, Wp] -> {luma [N, 1, H, W], chroma [N, 2, Hc, Wc]} as 8-bit
// planes, made where the network ran so that only 8-bit planes cross to the host.
std::vector<torch::Tensor> output_planes(const torch::Tensor& out, int w, int h);

// 8-bit planes on the CPU -> frames[0..N) of format `fmt` (buffers reused);
// frames[i].index = first_index + i.
void planes_to_frames(const torch::Tensor& y8, const torch::Tensor& uv8, PixFmt fmt, ColorMatrix m,
                      ColorRange r, int64_t first_index, Frame* frames);

}  // namespace nerv
