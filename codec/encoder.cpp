#include "codec/encoder.h"

#include <chrono>
#include <cmath>

#include "codec/bitstream.h"
#include "codec/segment_decoder.h"
#include "io/error.h"
#include "io/file_sink.h"

namespace nerv {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

EncodeReport encode_video(VideoReader& input, const std::string& output, const EncodeOptions& opt,
                          const std::function<void(const EncodeEvent&)>& on_event) {
  const CodecConfig& cfg = opt.cfg;
  const VideoInfo& info = input.info();
  auto t0 = Clock::now();

  StreamHeader header;
  header.width = info.width;
  header.height = info.height;
  header.fps = info.fps.valid() ? info.fps : Rational{25, 1};
  header.matrix = info.matrix;
  header.range = info.range;
  header.segment_frames = uint32_t(cfg.segment_frames);
  header.intra_period = uint32_t(cfg.intra_period);
  header.config = decoder_config(cfg);

  torch::manual_seed(opt.seed);  // the families' initial weights
  std::unique_ptr<FamilyEncoder> family = make_family_encoder(cfg, header, opt.device);
  SegmentDecoder decoder(header, opt.device, torch::kFloat);

  EncodeReport report;
  report.width = info.width;
  report.height = info.height;
  report.fps = header.fps;
  report.decoder_params = family->complexity().params;
  report.decoder_macs_per_pixel = family->complexity().macs_per_pixel;
  report.device = opt.device.str();

  FileSink sink(output);
  sink.write(write_stream_header(header));
  MetricsAccumulator metrics;
  std::vector<IndexEntry> index;
  std::vector<Frame> frames(size_t(cfg.segment_frames)), decoded;
  int64_t expected = opt.expected_frames > 0
                         ? (opt.expected_frames + cfg.segment_frames - 1) / cfg.segment_frames
                         : -1;

  for (uint32_t k = 0;; ++k) {
    size_t n = 0;
    while (n < frames.size() && input.read(frames[n])) ++n;
    if (n == 0) break;
    frames.resize(n);  // shorter only for the last segment: the buffers are reused otherwise
    auto ts = Clock::now();
    SegmentHeader sh;
    sh.type = k % uint32_t(cfg.intra_period) == 0 ? SegmentType::Intra : SegmentType::Residual;
    sh.index = k;
    sh.first_frame = report.frames;
    sh.frames = uint32_t(n);
    if (on_event) on_event({EncodeEvent::SegmentStart, k, expected, sh.frames});

    auto tt = Clock::now();
    std::vector<TensorStats> written;
    std::vector<uint8_t> bytes = family->encode(
        frames, sh, decoder.family(), opt.seed + k,
        [&](const FitProgress& p) {
          if (on_event) on_event({EncodeEvent::Progress, k, expected, sh.frames, p});
        },
        &written);

    SegmentReport sr;
    sr.train_seconds = since(tt);  // fitting and coding the payload
    sr.index = k;
    sr.type = sh.type;
    sr.first_frame = sh.first_frame;
    sr.frames = sh.frames;
    std::vector<uint8_t> chunk = write_segment_chunk(sh, bytes);
    if (sh.type == SegmentType::Intra) index.push_back({k, sh.first_frame, sink.position()});
    sink.write(chunk);

    // Quality as a decoder sees it: decode the payload just written.
    decoder.decode(sh, bytes, decoded, &sr.tensors);
    for (size_t i = 0; i < sr.tensors.size() && i < written.size(); ++i) {
      sr.tensors[i].cabac_bytes = written[i].cabac_bytes;
      sr.tensors[i].hts_bytes = written[i].hts_bytes;
    }
    double psnr_sum = 0;
    for (size_t i = 0; i < n; ++i) psnr_sum += metrics.add(frames[i], decoded[i]).psnr_yuv;
    sr.psnr_yuv = psnr_sum / double(n);
    sr.bytes = chunk.size();
    sr.seconds = since(ts);
    report.frames += n;
    report.segments.push_back(sr);
    if (on_event)
      on_event({EncodeEvent::SegmentDone, k, expected, sh.frames, {}, &report.segments.back()});
  }
  if (report.frames == 0) throw Error(info.url + ": no frames to encode");

  uint64_t index_offset = sink.position();
  sink.write(write_index_chunk(index));
  StreamEnd end{report.frames, uint32_t(report.segments.size()), index_offset};
  sink.write(write_end_chunk(end));
  if (sink.seekable()) {  // now the frame count is known
    header.frame_count = report.frames;
    sink.patch(0, write_stream_header(header));
  }
  report.bytes = sink.position();
  sink.commit();
  report.metrics = metrics.summary();
  report.seconds = since(t0);
  return report;
}

}  // namespace nerv
