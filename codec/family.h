// A model family: how a segment's representation is fitted and coded (FamilyEncoder) and how
// its payload becomes frames again (FamilyDecoder). The pipelines in codec/ see only this; each
// family owns its payload (§3.1 of docs/bitstream.md for `hnerv`, §8 for `grid`), its rate and
// its training recipe. The family is named by the "arch" of the stream's model config.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <vector>

#include "codec/bitstream.h"
#include "codec/config.h"
#include "codec/segment_payload.h"
#include "io/frame.h"

namespace nerv {

struct GridPrior;
struct GridPredictor;

struct FitProgress {
  const char* phase;  // e.g. "fit", "qat", "hard"
  int epoch, epochs;
  double psnr;  // YUV 6:1:1 PSNR of the training loss over the last epoch (or step)
};

// What a decoder costs, for reports and the decode benchmark.
struct DecoderComplexity {
  size_t params = 0;                 // transmitted network parameters
  double macs_per_pixel = 0;         // multiply-accumulates per output pixel
  double activations_per_pixel = 0;  // values written per output pixel (memory-traffic floor)
  int64_t pixels_per_frame = 0;      // positions the network runs over (padded frame)
};

class FamilyDecoder {
 public:
  virtual ~FamilyDecoder() = default;
  // Parses the payload and rebuilds the segment's representation. A residual segment needs the
  // segment before it to have been rebuilt by this object. Throws nerv::Error on bad input.
  virtual void rebuild(const SegmentHeader& sh, const std::vector<uint8_t>& payload,
                       std::vector<TensorStats>* stats) = 0;
  // Produces the frames of the last rebuilt segment; `on_batch(first, count)`, if given, runs as
  // each batch is ready, and returning false stops the segment there.
  virtual void reconstruct(std::vector<Frame>& frames,
                           const std::function<bool(size_t, size_t)>& on_batch) = 0;
  virtual void set_batch(int b) = 0;
  virtual DecoderComplexity complexity() const = 0;
};

class FamilyEncoder {
 public:
  virtual ~FamilyEncoder() = default;
  // Fits segment `sh` to `frames` and returns its payload. `reference` has rebuilt every
  // earlier segment of the chain, exactly as a decoder will (the reference of a residual).
  // `fresh`: the fit starts from this encoder's state as it is (its initial state: the first
  // segment, or an intra segment of an independent chain, restore()d by the caller) with the
  // full epochs; otherwise from the previous segment's decoded weights with warm_epochs.
  virtual std::vector<uint8_t> encode(const std::vector<Frame>& frames, const SegmentHeader& sh,
                                      FamilyDecoder& reference, uint64_t seed, bool fresh,
                                      const std::function<void(const FitProgress&)>& progress,
                                      std::vector<TensorStats>* written) = 0;
  virtual DecoderComplexity complexity() const = 0;
  // What later segments depend on beyond the stream (the frame encoder's weights, unrounded
  // latents), on the CPU: saved in each checkpoint of a resumable encode and given back to a
  // fresh encoder on --resume, so that it goes on exactly as the interrupted one would have.
  virtual std::vector<torch::Tensor> state() const = 0;
  // Throws nerv::Error if `state` does not fit this encoder.
  virtual void restore(const std::vector<torch::Tensor>& state) = 0;
};

// A module's parameters, then its buffers, as CPU copies; and the way back.
std::vector<torch::Tensor> module_state(const torch::nn::Module& m);
void restore_module_state(torch::nn::Module& m, const std::vector<torch::Tensor>& state,
                          size_t& at);

// Whether the config's family trains on distortion + lambda * rate (train.lambda applies).
bool family_has_rate_term(const CodecConfig& cfg);
// Sets the rate-distortion trade-off; throws for a family without a rate term.
void set_lambda(CodecConfig& cfg, double lambda);
// The decoder's multiply-accumulates per output pixel for frames of width x height.
double decoder_macs_per_pixel(const CodecConfig& cfg, int width, int height);

std::unique_ptr<FamilyDecoder> make_family_decoder(const StreamHeader& h, torch::Device device,
                                                   torch::ScalarType dtype);
// `prior` (grid family only, may be null): intra segments start their fit from it;
// `predictor` (grid family only, may be null; needs its prior): latents start from its
// prediction.
std::unique_ptr<FamilyEncoder> make_family_encoder(
    const CodecConfig& cfg, const StreamHeader& h, torch::Device device,
    std::shared_ptr<const GridPrior> prior = nullptr,
    std::shared_ptr<const GridPredictor> predictor = nullptr);

}  // namespace nerv
