#include "codec/frame_tensors.h"

#include <cstring>

namespace nerv {

SegmentTensors frames_to_tensors(const std::vector<Frame>& frames, int pw, int ph,
                                 torch::Device device) {
  int64_t n = int64_t(frames.size());
  int w = frames[0].width, h = frames[0].height;
  int extra = frames[0].plane_count() - 1;  // 2, or none for grey
  int cw = extra ? frames[0].plane_width(1) : w, ch = extra ? frames[0].plane_height(1) : h;
  auto u8 = torch::TensorOptions().dtype(torch::kUInt8);
  torch::Tensor y8 = torch::empty({n, 1, h, w}, u8), uv8 = torch::empty({n, extra, ch, cw}, u8);
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(y8[i].data_ptr<uint8_t>(), frames[i].planes[0].data(), size_t(w) * h);
    for (int p = 1; p <= extra; ++p)
      std::memcpy(uv8[i][p - 1].data_ptr<uint8_t>(), frames[i].planes[p].data(), size_t(cw) * ch);
  }
  SegmentTensors t;
  t.y = y8.to(torch::kFloat).div_(255.0);
  t.uv = uv8.to(torch::kFloat).div_(255.0);
  namespace F = torch::nn::functional;
  torch::Tensor uv_full = t.uv;
  if (frames[0].fmt == PixFmt::YUV420P)
    uv_full = t.uv.repeat_interleave(2, 2).repeat_interleave(2, 3).narrow(2, 0, h).narrow(3, 0, w);
  torch::Tensor yuv = torch::cat({t.y, uv_full}, 1);
  t.input = F::pad(yuv, F::PadFuncOptions({0, pw - w, 0, ph - h}).mode(torch::kReplicate))
                .contiguous()
                .to(device);
  t.y = t.y.to(device);
  t.uv = t.uv.to(device);
  return t;
}

void split_output(const torch::Tensor& out, int w, int h, torch::Tensor& y, torch::Tensor& uv) {
  int cw = (w + 1) / 2, ch = (h + 1) / 2;
  y = out.narrow(1, 0, 1).narrow(2, 0, h).narrow(3, 0, w);
  torch::Tensor c = out.narrow(1, 1, 2).narrow(2, 0, 2 * ch).narrow(3, 0, 2 * cw);
  uv = torch::avg_pool2d(c, 2);
}

torch::Tensor to_8bit(const torch::Tensor& t) {
  return t.to(torch::kFloat).mul(255.0).round_().clamp_(0, 255).to(torch::kUInt8).contiguous();
}

std::vector<torch::Tensor> output_planes(const torch::Tensor& out, int w, int h) {
  torch::Tensor y, uv;
  split_output(out.to(torch::kFloat), w, h, y, uv);
  return {to_8bit(y), to_8bit(uv)};
}

void planes_to_frames(const torch::Tensor& y8, const torch::Tensor& uv8, PixFmt fmt, ColorMatrix m,
                      ColorRange r, int64_t first_index, Frame* frames) {
  int64_t n = y8.size(0);
  int w = int(y8.size(3)), h = int(y8.size(2));
  for (int64_t i = 0; i < n; ++i) {
    Frame& f = frames[i];
    f.matrix = m;
    f.range = r;
    f.index = first_index + i;
    f.resize(w, h, fmt);
    std::memcpy(f.planes[0].data(), y8[i].data_ptr<uint8_t>(), f.plane_size(0));
    for (int p = 1; p < f.plane_count(); ++p)
      std::memcpy(f.planes[p].data(), uv8[i][p - 1].data_ptr<uint8_t>(), f.plane_size(p));
  }
}

}  // namespace nerv
