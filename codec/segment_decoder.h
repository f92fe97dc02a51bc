// The one decoding path of every family, used by `nervc decode`, `play`, `info`, the benchmark
// and by the encoder to measure exactly what a decoder will see: the family named by the
// stream's model config rebuilds each segment and produces its frames.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "codec/family.h"

namespace nerv {

class SegmentDecoder {
 public:
  // Runs the network on `device` in `dtype` (weights and latents are rebuilt exactly first).
  explicit SegmentDecoder(const StreamHeader& h, torch::Device device = torch::kCPU,
                          torch::ScalarType dtype = torch::kFloat)
      : family_(make_family_decoder(h, device, dtype)) {}

  // Decodes one segment into frames. On error the reference is dropped until the next intra.
  void decode(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
              std::vector<Frame>& frames, std::vector<TensorStats>* stats = nullptr) {
    rebuild(sh, payload, stats);
    reconstruct(frames);
  }
  void rebuild(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
               std::vector<TensorStats>* stats = nullptr) {
    family_->rebuild(sh, payload, stats);
  }
  void reconstruct(std::vector<Frame>& frames,
                   const std::function<bool(size_t, size_t)>& on_batch = {}) {
    family_->reconstruct(frames, on_batch);
  }
  void set_batch(int b) { family_->set_batch(b); }
  DecoderComplexity complexity() const { return family_->complexity(); }
  FamilyDecoder& family() { return *family_; }

 private:
  std::unique_ptr<FamilyDecoder> family_;
};

}  // namespace nerv
