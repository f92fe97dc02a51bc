// The encoder pipeline: reads the input one segment at a time (memory bounded by a segment),
// fits each segment, writes its chunk, and measures quality by decoding the chunk it wrote.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "codec/config.h"
#include "codec/family.h"
#include "codec/grid_predictor.h"
#include "codec/grid_prior.h"
#include "codec/segment_payload.h"
#include "io/metrics.h"
#include "io/video_reader.h"

namespace nerv {

struct EncodeOptions {
  CodecConfig cfg;
  uint64_t seed = 0;
  int64_t expected_frames = -1;        // for progress and ETA only; -1 if unknown
  torch::Device device = torch::kCPU;  // the bitstream does not depend on it
  // A file output is resumable: the stream is written at OUTPUT.partial and, after every
  // segment, what it takes to go on at OUTPUT.partial.state; both stay if the encode stops
  // early (signal, crash, error) and give way to OUTPUT when it completes. Off, or for pipes,
  // devices and URLs: a temporary name that an interrupt removes.
  bool resumable = true;
  // Continue the interrupted encode of OUTPUT, which must have had the same input, config,
  // seed, device and threads; with nothing to continue, encode from the start.
  bool resume = false;
  // Frames larger than this many pixels are refused before anything is allocated: fitting
  // takes about 0.6 kB per pixel of a frame (the image preset; measured in docs/BENCHMARKS.md),
  // so the default, 4096 x 4096, needs some 10 GB. 0: no limit.
  int64_t max_pixels = int64_t(1) << 24;
  // Grid family: intra segments start from this prior (nervc train-prior) instead of random or
  // previous weights, and code their weights as the difference from it; the stream names it
  // (bitstream 1.5), and decoders need it (built in, or given with --prior).
  std::shared_ptr<const GridPrior> prior;
  // Grid family: every segment's latents start from this predictor's prediction (nervc
  // train-hyper); needs `prior` to be the prior it was trained with. The stream does not name
  // it: decoders need only the prior.
  std::shared_ptr<const GridPredictor> predictor;
  // Chains (an intra segment and the residual segments up to the next) are independent: every
  // intra segment starts from the same initial state (or the prior), so that any range of them
  // can be encoded alone (a part, below) and gives the same bytes. warm_intra starts each intra
  // segment but the first from the previous segment's weights instead, with fewer epochs
  // (the behaviour before sharding; single-process encodes only).
  bool warm_intra = false;
  // A part stream: only chains [chains_begin, chains_end) of the input (chains_end 0: all, a
  // whole stream). It records the range in a `part` chunk (docs/bitstream.md §5.2), and
  // nervc concat joins the parts into the stream one whole encode writes. Needs the input's
  // frame count (expected_frames), which fixes the segmentation.
  uint32_t chains_begin = 0, chains_end = 0;
};

struct SegmentReport {
  uint32_t index = 0;
  SegmentType type = SegmentType::Intra;
  uint64_t first_frame = 0;
  uint32_t frames = 0;
  size_t bytes = 0;                  // the whole chunk
  double seconds = 0;                // the whole segment: training, coding, checking decode
  double train_seconds = 0;          // of which fit_segment (training and quantisation)
  double psnr_yuv = 0;               // decoded, against the source
  std::vector<TensorStats> tensors;  // per tensor: stored size, both coders, entropy
};

struct EncodeEvent {
  enum Kind { SegmentStart, Progress, SegmentDone } kind;
  uint32_t segment = 0;
  int64_t segments_expected = -1;  // -1 when the input length is unknown
  uint32_t segment_frames = 0;
  FitProgress fit{};
  const SegmentReport* done = nullptr;
};

struct EncodeReport {
  int width = 0, height = 0;
  Rational fps;
  uint64_t frames = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  size_t decoder_params = 0;
  double decoder_macs_per_pixel = 0;
  std::string device;
  uint32_t resumed_segments = 0;  // taken from an interrupted encode (--resume)
  MetricsSummary metrics;         // of the decoded bitstream against the source
  std::vector<SegmentReport> segments;
  double bpp() const { return frames ? bytes * 8.0 / (double(frames) * width * height) : 0; }
  double kbps() const { return frames ? bytes * 8.0 / 1000.0 / (frames / fps.value()) : 0; }
};

// How an input of `frames` frames (known) is cut: segments of S = cfg.segment_frames, a short
// tail r <= S/2 joining the last one (it would pay for its weights almost as much as a full
// segment), and chains of cfg.intra_period segments, the last maybe shorter.
struct Segmentation {
  int64_t segments = 0;
  int64_t tail_first = -1;  // first frame of the segment that takes the tail; -1: none
  int64_t longest = 0;      // frames of the longest segment (the stream's segment_frames)
  uint32_t chains = 0;
};
Segmentation segmentation(const CodecConfig& cfg, int64_t frames);

EncodeReport encode_video(VideoReader& input, const std::string& output, const EncodeOptions& opt,
                          const std::function<void(const EncodeEvent&)>& on_event);

}  // namespace nerv
