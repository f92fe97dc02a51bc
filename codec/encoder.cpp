#include "codec/encoder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <sys/stat.h>
#include <torch/version.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>

#include "base/error.h"
#include "codec/bitstream.h"
#include "codec/encode_checkpoint.h"
#include "codec/prior_registry.h"
#include "codec/segment_decoder.h"
#include "codec/stream_parts.h"
#include "io/file_sink.h"

namespace nerv {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

bool file_exists(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0;
}

// Everything the stream's bytes depend on besides the frames themselves: an interrupted encode
// continues only under the same. (Bit-exact on the CPU of the same machine: the thread count
// and the CPU's vector units can change float sums.)
nlohmann::json resume_fingerprint(const EncodeOptions& opt, const StreamHeader& h) {
  return {{"build", std::string("nervc ") + NERV_VERSION + ", libtorch " + TORCH_VERSION},
          {"format", std::to_string(kVersionMajor) + "." + std::to_string(kVersionMinor)},
          {"config", config_json(opt.cfg)},
          {"seed", opt.seed},
          {"chains", opt.chains_end
                         ? std::to_string(opt.chains_begin) + ":" + std::to_string(opt.chains_end)
                         : "all"},
          {"warm intra", opt.warm_intra},
          {"prior", opt.prior ? prior_id(*opt.prior) : ""},
          {"predictor", opt.predictor ? predictor_id(*opt.predictor) : ""},
          {"device", opt.device.str()},
          {"threads", torch::get_num_threads()},
          {"frame size", std::to_string(h.width) + "x" + std::to_string(h.height)},
          {"frame rate", std::to_string(h.fps.num) + "/" + std::to_string(h.fps.den)},
          {"colour", int(h.matrix) * 2 + int(h.range)},
          {"pixel format", to_string(h.pix_fmt)}};
}

}  // namespace

Segmentation segmentation(const CodecConfig& cfg, int64_t frames) {
  const int64_t S = cfg.segment_frames, N = frames;
  Segmentation s;
  s.longest = S;
  if (N <= 0) return s;
  if (N > S && N % S > 0 && 2 * (N % S) <= S && S + N % S <= kMaxSegmentFrames) {
    s.tail_first = N - S - N % S;
    s.longest = S + N % S;
  }
  s.segments = s.tail_first >= 0 ? N / S : (N + S - 1) / S;
  s.chains = uint32_t((s.segments + cfg.intra_period - 1) / cfg.intra_period);
  return s;
}

EncodeReport encode_video(VideoReader& input, const std::string& output, const EncodeOptions& opt,
                          const std::function<void(const EncodeEvent&)>& on_event) {
  const CodecConfig& cfg = opt.cfg;
  const VideoInfo& info = input.info();
  auto t0 = Clock::now();

  StreamHeader header;
  header.width = info.width;
  header.height = info.height;
  header.fps = info.fps.valid() ? info.fps : Rational{25, 1};
  const int64_t area = int64_t(info.width) * info.height;
  if (opt.max_pixels > 0 && area > opt.max_pixels) {
    throw Error(std::to_string(info.width) + "x" + std::to_string(info.height) + " frames (" +
                std::to_string(area) + " pixels) exceed the encoder's limit of " +
                std::to_string(opt.max_pixels) + " pixels per frame (--max-pixels)");
  }
  header.pix_fmt = info.fmt;
  if (info.fmt != PixFmt::YUV420P && info.fmt != PixFmt::RGBP && info.fmt != PixFmt::GRAY)
    throw Error(std::string("nervc codes yuv420p video or rgb or gray images, not ") +
                to_string(info.fmt));
  header.matrix = info.matrix;
  header.range = info.range;
  const int64_t S = cfg.segment_frames, P = cfg.intra_period, N = opt.expected_frames;
  const Segmentation seg = segmentation(cfg, N);
  const int64_t tail_first = seg.tail_first;
  const size_t longest = size_t(seg.longest);
  // A part: chains [A, B) of C, frames from A*P*S on, and (but for the last part, which reads
  // on to the end as a whole encode does) (B - A) * P segments.
  const bool part = opt.chains_end > 0;
  const uint32_t A = opt.chains_begin, B = opt.chains_end;
  if (part) {
    if (N <= 0)
      throw Error(info.url +
                  ": encoding a range of chains needs the input's frame count, which its "
                  "container does not give (encode it whole, or convert it to a container that "
                  "does)");
    if (opt.warm_intra)
      throw Error(
          "--warm-intra makes each chain depend on the one before: it cannot encode a "
          "range of chains");
    if (A >= B || B > seg.chains)
      throw Error("chains " + std::to_string(A) + ":" + std::to_string(B) +
                  " are not a range within the input's " + std::to_string(seg.chains) +
                  " chains (0:" + std::to_string(seg.chains) + ")");
  }
  const uint32_t seg0 = part ? uint32_t(A * P) : 0;  // the first segment's index in the input
  const uint64_t frame0 = uint64_t(seg0) * uint64_t(S);
  const int64_t max_segments = part && B < seg.chains ? int64_t(B - A) * P : -1;
  header.segment_frames = uint32_t(longest);
  header.intra_period = uint32_t(cfg.intra_period);
  header.config = decoder_config(cfg);
  if (opt.prior) {  // intra weights are coded against it: the stream names it (checked by the
                    // family encoder below)
    header.config["prior"] = prior_id(*opt.prior);
    add_known_prior(opt.prior);
  }

  torch::manual_seed(opt.seed);  // the families' initial weights
  std::unique_ptr<FamilyEncoder> family =
      make_family_encoder(cfg, header, opt.device, opt.prior, opt.predictor);
  // Where every independent chain starts (the same in every process with the same seed).
  const std::vector<torch::Tensor> initial =
      opt.warm_intra ? std::vector<torch::Tensor>{} : family->state();
  SegmentDecoder decoder(header, opt.device, torch::kFloat);

  EncodeReport report;
  report.width = info.width;
  report.height = info.height;
  report.fps = header.fps;
  report.decoder_params = family->complexity().params;
  report.decoder_macs_per_pixel = family->complexity().macs_per_pixel;
  report.device = opt.device.str();

  // Where the stream goes, and whether an interrupted encode is continued.
  const std::string partial = output + ".partial", state_path = partial + ".state";
  const bool resumable = opt.resumable && !writes_in_place(output);
  if (opt.resume && !resumable) throw Error(output + ": --resume needs a file output");
  const std::string fingerprint = resume_fingerprint(opt, header).dump();
  EncodeCheckpoint ck;
  ck.fingerprint = fingerprint;
  if (resumable && file_exists(state_path) && !file_exists(partial))
    std::remove(state_path.c_str());  // stale: its encode completed (or its stream was deleted)
  if (resumable && file_exists(state_path)) {
    if (!opt.resume)
      throw Error(output + ": an interrupted encode of this output can be continued: add " +
                  "--resume, or delete " + partial + " and " + state_path + " to start over");
    ck = load_checkpoint(state_path);
    if (ck.fingerprint != fingerprint) {
      nlohmann::json was = nlohmann::json::parse(ck.fingerprint, nullptr, false),
                     now = nlohmann::json::parse(fingerprint);
      std::string diff;
      for (auto it = now.begin(); it != now.end(); ++it)
        if (!was.is_object() || !was.contains(it.key()) || was[it.key()] != it.value())
          diff += (diff.empty() ? "" : ", ") + it.key();
      throw Error(state_path + ": the interrupted encode was made with other settings (" + diff +
                  "): resume with the same, or delete it and " + partial + " to start over");
    }
  }
  std::unique_ptr<FileSink> sink =
      resumable ? std::make_unique<FileSink>(output, partial, ck.stream_bytes)
                : std::make_unique<FileSink>(output);

  MetricsAccumulator metrics;
  std::vector<IndexEntry> index;
  std::vector<Frame> frames(static_cast<size_t>(S)), decoded;
  int64_t expected = N <= 0 ? -1 : max_segments >= 0 ? max_segments : seg.segments - seg0;
  uint64_t input_hash = kHashStart;
  auto read_segment = [&] {
    frames.resize(int64_t(frame0 + report.frames) == tail_first ? longest : size_t(S));
    size_t n = 0;
    while (n < frames.size() && input.read(frames[n]))
      input_hash = hash_frame(input_hash, frames[n++]);
    frames.resize(n);  // shorter only for the last segment: the buffers are reused otherwise
    return n;
  };
  // Decodes what was written, as a decoder will (the reference of the next segment, and the
  // quality), and reports the segment. `seconds` < 0: timed from `ts` up to now.
  auto finish_segment = [&](const SegmentHeader& sh, const std::vector<uint8_t>& bytes,
                            uint64_t chunk_bytes, const std::vector<TensorStats>& written,
                            Clock::time_point ts, double seconds, double train_seconds) {
    SegmentReport sr;
    decoder.decode(sh, bytes, decoded, &sr.tensors);
    for (size_t i = 0; i < sr.tensors.size() && i < written.size(); ++i) {
      sr.tensors[i].cabac_bytes = written[i].cabac_bytes;
      sr.tensors[i].hts_bytes = written[i].hts_bytes;
    }
    double psnr_sum = 0;
    for (size_t i = 0; i < sh.frames; ++i) psnr_sum += metrics.add(frames[i], decoded[i]).psnr_yuv;
    sr.index = sh.index;
    sr.type = sh.type;
    sr.first_frame = sh.first_frame;
    sr.frames = sh.frames;
    sr.psnr_yuv = psnr_sum / double(sh.frames);
    sr.bytes = chunk_bytes;
    sr.train_seconds = train_seconds;
    sr.seconds = seconds >= 0 ? seconds : since(ts);
    report.frames += sh.frames;
    report.segments.push_back(sr);
    if (on_event)
      on_event(
          {EncodeEvent::SegmentDone, sh.index, expected, sh.frames, {}, &report.segments.back()});
  };

  // A part starts at its first chain's first frame: the frames before are read and dropped.
  if (frame0 > 0) {
    Frame skipped;
    for (uint64_t i = 0; i < frame0; ++i)
      if (!input.read(skipped))
        throw Error(info.url + ": ends after " + std::to_string(i) + " frames, before chain " +
                    std::to_string(A) + " (frame " + std::to_string(frame0) + ")");
  }

  uint32_t k = 0;
  if (ck.segments) {
    // The segments the interrupted encode completed: read back from its partial stream, with
    // the input read alongside (it must be the same) and decoded, as if just encoded.
    BitstreamReader prev(partial);
    for (; k < ck.segments; ++k) {
      BitstreamReader::Chunk c;
      size_t n = read_segment();
      if (!prev.next(c) || c.kind != BitstreamReader::Chunk::Segment || c.segment.index != k)
        throw Error(partial + ": does not hold the segments its checkpoint names");
      if (c.segment.frames != n || c.segment.first_frame != report.frames)
        throw Error(output + ": the input differs from the interrupted encode's");
      if (c.segment.type == SegmentType::Intra)
        index.push_back({k, c.segment.first_frame, c.segment.offset});
      finish_segment(c.segment, c.payload, prev.position() - c.segment.offset, {}, Clock::now(),
                     ck.segment_seconds[k], ck.train_seconds[k]);
    }
    if (input_hash != ck.input_hash)
      throw Error(output + ": the input differs from the interrupted encode's");
    family->restore(ck.family_state);
    at::Generator rng = at::detail::getDefaultCPUGenerator();  // shares the default's state
    std::lock_guard<std::mutex> lock(rng.mutex());
    rng.set_state(ck.rng);
    report.resumed_segments = k;
  } else {
    sink->write(write_stream_header(header));
    if (part)
      sink->write(write_part_chunk({A, B, seg.chains, uint64_t(N), opt.seed,
                                    std::filesystem::path(info.url).filename().string()}));
  }

  for (;; ++k) {
    if (max_segments >= 0 && k >= max_segments) break;
    size_t n = read_segment();
    if (n == 0) break;
    auto ts = Clock::now();
    const uint32_t g = seg0 + k;  // the segment's index in the whole input
    SegmentHeader sh;
    sh.type = g % uint32_t(P) == 0 ? SegmentType::Intra : SegmentType::Residual;
    sh.index = k;
    sh.first_frame = report.frames;
    sh.frames = uint32_t(n);
    if (on_event) on_event({EncodeEvent::SegmentStart, k, expected, sh.frames});

    // The first segment, and without warm_intra every intra one, starts from the initial state.
    const bool fresh = g == 0 || (sh.type == SegmentType::Intra && !opt.warm_intra);
    if (fresh && k > 0) family->restore(initial);
    auto tt = Clock::now();
    std::vector<TensorStats> written;
    std::vector<uint8_t> bytes = family->encode(
        frames, sh, decoder.family(), opt.seed + g, fresh,
        [&](const FitProgress& p) {
          if (on_event) on_event({EncodeEvent::Progress, k, expected, sh.frames, p});
        },
        &written);
    double train_seconds = since(tt);  // fitting and coding the payload
    uint64_t chunk_start = sink->position();
    if (sh.type == SegmentType::Intra) index.push_back({k, sh.first_frame, chunk_start});
    sink->write(write_segment_chunk(sh, bytes));
    finish_segment(sh, bytes, sink->position() - chunk_start, written, ts, -1, train_seconds);

    if (resumable) {  // the bytes on disk first, then the checkpoint that names them
      sink->sync();
      ck.input_hash = input_hash;
      ck.segments = k + 1;
      ck.stream_bytes = sink->position();
      ck.segment_seconds.push_back(report.segments.back().seconds);
      ck.train_seconds.push_back(train_seconds);
      ck.rng = at::detail::getDefaultCPUGenerator().get_state();
      ck.family_state = family->state();
      sink->keep_partial();  // before the checkpoint names it: an interrupt now keeps both
      save_checkpoint(state_path, ck);
    }
  }
  if (report.frames == 0) throw Error(info.url + ": no frames to encode");

  uint64_t index_offset = sink->position();
  sink->write(write_index_chunk(index));
  StreamEnd end{report.frames, uint32_t(report.segments.size()), index_offset};
  sink->write(write_end_chunk(end));
  if (sink->seekable()) {  // now the frame count is known
    header.frame_count = report.frames;
    sink->patch(0, write_stream_header(header));
  }
  report.bytes = sink->position();
  // The stream is durable under its final name before its checkpoint goes: a crash between the
  // two leaves a checkpoint without its partial file, which the next encode drops as stale.
  sink->commit();
  if (resumable) std::remove(state_path.c_str());
  report.metrics = metrics.summary();
  report.seconds = since(t0);
  return report;
}

}  // namespace nerv
