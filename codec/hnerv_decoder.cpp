#include "codec/hnerv_decoder.h"

#include "base/error.h"
#include "codec/frame_tensors.h"

namespace nerv {

HnervDecoder::HnervDecoder(const StreamHeader& h, torch::Device device, torch::ScalarType dtype)
    : header_(h), device_(device), dtype_(dtype) {
  nlohmann::json model_cfg;
  parse_decoder_config(h.config, model_cfg, quant_);
  model_ = make_model(model_cfg, h.width, h.height);
  model_->eval();
  model_->to(device_, dtype_);
  if (device_.is_cuda()) {  // channels-last convolutions are the fast layout on GPUs
    torch::NoGradGuard ng;
    for (auto& p : model_->parameters())
      if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
  shapes_ = coded_shapes(*model_);
}

void HnervDecoder::rebuild(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
                           std::vector<TensorStats>* stats) {
  std::string where = "segment " + std::to_string(sh.index);
  bool residual = sh.type == SegmentType::Residual;
  if (residual && (last_segment_ < 0 || last_segment_ != int64_t(sh.index) - 1))
    throw Error(where + ": residual segment without its previous segment");
  last_segment_ = -1;  // until this one succeeds
  if (stats) stats->clear();
  std::vector<int64_t> eshape = model_->embedding_shape();
  SegmentPayload p = read_segment_payload(payload, sh.type, sh.frames, eshape, quant_.embed_bits,
                                          shapes_, where, stats);
  if (stats)
    for (size_t i = 0; i < shapes_.size(); ++i) (*stats)[i + 1].name = shapes_[i].name;

  if (!residual) {
    state_.grids = std::move(p.grids);
    state_.q = std::move(p.symbols);
  } else {
    for (size_t t = 0; t < shapes_.size(); ++t)
      for (size_t k = 0; k < state_.q[t].size(); ++k) {
        int64_t v = int64_t(state_.q[t][k]) + p.symbols[t][k];
        if (v < -kMaxSymbol || v > kMaxSymbol) throw Error(where + ": weight out of range");
        state_.q[t][k] = int32_t(v);
      }
  }
  NamedTensors coded = model_->coded_tensors();
  torch::NoGradGuard ng;
  for (size_t t = 0; t < shapes_.size(); ++t) {
    torch::Tensor w = torch::empty(shapes_[t].dims, torch::kFloat);
    dequantize_weights(state_.q[t].data(), state_.q[t].size(), state_.grids[t],
                       w.data_ptr<float>());
    coded[t].second.copy_(w);
  }
  if (!eshape.empty()) {
    std::vector<int64_t> dims = {int64_t(sh.frames)};
    dims.insert(dims.end(), eshape.begin(), eshape.end());
    torch::Tensor e = torch::empty(dims, torch::kFloat);
    size_t inner = size_t(e[0][0].numel());
    dequantize_affine(p.embed_symbols.data(), sh.frames, inner, p.embed_grid, quant_.embed_bits,
                      e.data_ptr<float>());
    embeddings_ = e.to(device_, dtype_);
    if (device_.is_cuda()) embeddings_ = embeddings_.contiguous(torch::MemoryFormat::ChannelsLast);
  }
  last_header_ = sh;
  last_segment_ = sh.index;
}

DecoderComplexity HnervDecoder::complexity() const {
  return hnerv_complexity(*model_);
}

DecoderComplexity hnerv_complexity(InrModel& model) {
  DecoderComplexity c;
  for (auto& [name, t] : model.coded_tensors()) c.params += size_t(t.numel());
  c.macs_per_pixel = model.decoder_macs_per_pixel();
  c.activations_per_pixel = model.decoder_activations_per_pixel();
  c.pixels_per_frame = int64_t(model.padded_width()) * model.padded_height();
  return c;
}

std::vector<torch::Tensor> HnervDecoder::run_batch(int64_t first, int64_t count) {
  torch::Tensor in = embeddings_.defined()
                         ? embeddings_.narrow(0, first, count)
                         : torch::arange(first, first + count, torch::kLong).to(device_);
  BatchRun& r = runs_[count];
  if (!r.step) {
    r.in = torch::empty_like(in);
    r.step = std::make_unique<GraphedStep>(device_, "decode", [this, &r] {
      torch::Tensor e = embeddings_.defined() ? r.in : model_->embed(torch::Tensor(), r.in);
      r.planes = output_planes(model_->decode(e), header_.width, header_.height);
    });
  }
  r.in.copy_(in);
  r.step->run();
  if (!device_.is_cuda()) return r.planes;  // used before the next batch overwrites them
  // The recording's outputs are rewritten by the next replay: the copy to the host gets its own.
  return {r.planes[0].clone(), r.planes[1].clone()};
}

void HnervDecoder::reconstruct(std::vector<Frame>& frames,
                               const std::function<bool(size_t, size_t)>& on_batch) {
  const SegmentHeader& sh = last_header_;
  torch::NoGradGuard ng;
  frames.resize(sh.frames);  // keeps the planes of earlier calls: no fresh pages per frame
  // Batch k is handed on after batch k + 1 has been queued, so that the GPU computes one while
  // the other is copied and unpacked; on the CPU each batch is handed on at once.
  const bool overlap = device_.is_cuda();
  int64_t pending = -1, pending_count = 0;
  int slot = 0;
  auto hand_on = [&](int64_t s, int64_t b, HostCopy& c) {
    const std::vector<torch::Tensor>& planes = c.wait();
    planes_to_frames(planes[0], planes[1], PixFmt::YUV420P, header_.matrix, header_.range,
                     int64_t(sh.first_frame) + s, frames.data() + s);
    return !on_batch || on_batch(size_t(s), size_t(b));
  };
  for (int64_t s = 0; s < int64_t(sh.frames); s += batch_) {
    int64_t b = std::min<int64_t>(batch_, int64_t(sh.frames) - s);
    HostCopy& c = copies_[slot];
    c.start(run_batch(s, b));
    if (!overlap) {
      if (!hand_on(s, b, c)) return;
      continue;
    }
    if (pending >= 0 && !hand_on(pending, pending_count, copies_[slot ^ 1])) {
      c.wait();
      return;
    }
    pending = s;
    pending_count = b;
    slot ^= 1;
  }
  if (pending >= 0) hand_on(pending, pending_count, copies_[slot ^ 1]);
}

}  // namespace nerv
