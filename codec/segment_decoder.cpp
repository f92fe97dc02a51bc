#include "codec/segment_decoder.h"

#include "codec/frame_tensors.h"
#include "io/error.h"

namespace nerv {

SegmentDecoder::SegmentDecoder(const StreamHeader& h, torch::Device device, torch::ScalarType dtype)
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

void SegmentDecoder::rebuild(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
                             std::vector<TensorStats>* stats) {
  std::string where = "segment " + std::to_string(sh.index);
  bool residual = sh.type == SegmentType::Residual;
  if (residual && last_segment_ != int64_t(sh.index) - 1)
    throw Error(where + ": residual segment without its previous segment");
  last_segment_ = -1;  // until this one succeeds
  if (stats) stats->clear();
  std::vector<int64_t> eshape = model_->embedding_shape();
  SegmentPayload p =
      read_segment_payload(payload, sh.type, sh.frames, eshape, shapes_, where, stats);
  if (stats)
    for (size_t i = 0; i < shapes_.size(); ++i) (*stats)[i + 1].name = shapes_[i].name;

  if (!residual) {
    state_.grids = std::move(p.grids);
    state_.q = std::move(p.symbols);
  } else {
    for (size_t t = 0; t < shapes_.size(); ++t)
      for (size_t k = 0; k < state_.q[t].size(); ++k) {
        int64_t v = int64_t(state_.q[t][k]) + p.symbols[t][k];
        if (v < -kMaxSymbol * 2 || v > kMaxSymbol * 2) throw Error(where + ": weight out of range");
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

void SegmentDecoder::decode(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
                            std::vector<Frame>& frames, std::vector<TensorStats>* stats) {
  rebuild(sh, payload, stats);
  reconstruct(frames);
}

void SegmentDecoder::reconstruct(std::vector<Frame>& frames,
                                 const std::function<bool(size_t, size_t)>& on_batch) {
  const SegmentHeader& sh = last_header_;
  torch::NoGradGuard ng;
  frames.resize(sh.frames);  // keeps the planes of earlier calls: no fresh pages per frame
  for (int64_t s = 0; s < int64_t(sh.frames); s += batch_) {
    int64_t b = std::min<int64_t>(batch_, int64_t(sh.frames) - s);
    torch::Tensor in = embeddings_.defined()
                           ? embeddings_.narrow(0, s, b)
                           : model_->embed(torch::Tensor(), torch::arange(s, s + b).to(device_));
    torch::Tensor out = model_->decode(in);
    output_to_frames(out, header_.width, header_.height, header_.matrix, header_.range,
                     int64_t(sh.first_frame) + s, frames.data() + s);
    if (on_batch && !on_batch(size_t(s), size_t(b))) return;
  }
}

}  // namespace nerv
