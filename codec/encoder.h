// The encoder pipeline: reads the input one segment at a time (memory bounded by a segment),
// fits each segment, writes its chunk, and measures quality by decoding the chunk it wrote.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "codec/config.h"
#include "codec/family.h"
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

EncodeReport encode_video(VideoReader& input, const std::string& output, const EncodeOptions& opt,
                          const std::function<void(const EncodeEvent&)>& on_event);

}  // namespace nerv
