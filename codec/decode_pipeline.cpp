#include "codec/decode_pipeline.h"

#include <chrono>

#include "base/error.h"
#include "codec/segment_decoder.h"
#include "io/read_cancel.h"

namespace nerv {

struct ReadChunk {
  BitstreamReader::Chunk c;
  uint64_t bytes = 0;
};

struct DecodePipeline::ReadSide {
  std::string input;
  ReadCancel cancel;  // ends a read that waits on a pipe (before `reader`: it outlives it)
  std::unique_ptr<BitstreamReader> reader;
  std::vector<IndexEntry> intra;
  bool skip_errors = false;
  std::function<void(const std::string&)> on_skip;
  std::unique_ptr<BoundedQueue<ReadChunk>> chunks;  // of the current run
  std::mutex m;                                     // guards error and on_skip calls
  std::exception_ptr error;
  std::atomic<uint64_t> bytes_read{0};

  void fail(std::exception_ptr e) {
    std::lock_guard<std::mutex> l(m);
    if (!error) error = e;
  }
  void report(const std::string& msg) {
    std::lock_guard<std::mutex> l(m);
    if (on_skip) on_skip(msg);
  }
  // After a damaged chunk, with --skip-errors: true if reading can go on. A file jumps to the
  // next intra segment of its index (`found` false: read on); a pipe reads on to the next
  // chunk that is intact (`found` true, in `out`). Residual segments that lost their
  // reference are then skipped by the decoder.
  bool recover(const std::exception& e, uint64_t chunk_pos, BitstreamReader::Chunk& out,
               bool& found) {
    found = false;
    if (!skip_errors) return false;
    if (reader->seekable()) {
      for (const IndexEntry& x : intra) {
        if (x.offset <= chunk_pos) continue;
        report(std::string(e.what()) + "; skipping to intra segment " + std::to_string(x.segment));
        reader->seek(x);
        return true;
      }
      return false;  // nothing decodable after it: the error ends the stream
    }
    if (!reader->resync(out)) return false;
    found = true;
    report(std::string(e.what()) + "; resynchronised at " +
           (out.kind == BitstreamReader::Chunk::Segment
                ? "segment " + std::to_string(out.segment.index)
            : out.kind == BitstreamReader::Chunk::Index ? std::string("the stream's index")
                                                        : std::string("the stream's end")));
    return true;
  }
};

namespace {

void read_stage(const std::shared_ptr<DecodePipeline::ReadSide>& rs,
                BoundedQueue<ReadChunk>* chunks) {
  try {
    for (;;) {
      ReadChunk c;
      uint64_t before = rs->reader->position();
      bool more = false;
      try {
        more = rs->reader->next(c.c);
      } catch (const Error& e) {
        bool found = false;
        if (!rs->recover(e, before, c.c, found)) throw;
        if (!found) continue;
        more = true;
      }
      if (!more) break;
      c.bytes = rs->reader->position() - before;
      rs->bytes_read = rs->reader->position();
      if (c.c.kind != BitstreamReader::Chunk::Segment) continue;
      if (!chunks->push(std::move(c))) return;
    }
  } catch (...) {
    rs->fail(std::current_exception());
  }
  chunks->close();
}

}  // namespace

DecodePipeline::DecodePipeline(const std::string& input, const DecodeOptions& opt)
    : opt_(opt), rs_(std::make_shared<ReadSide>()) {
  rs_->input = input;
  rs_->reader = std::make_unique<BitstreamReader>(input, &rs_->cancel);
  init();
}

DecodePipeline::DecodePipeline(FILE* opened, uint64_t size, const std::string& name,
                               const DecodeOptions& opt)
    : opt_(opt), rs_(std::make_shared<ReadSide>()) {
  rs_->input = name;
  rs_->reader = std::make_unique<BitstreamReader>(opened, size, name);
  init();
}

void DecodePipeline::init() {
  const DecodeOptions& opt = opt_;
  rs_->skip_errors = opt.skip_errors;
  if (opt.skip_errors && !rs_->reader->seekable()) rs_->reader->allow_resync();
  rs_->on_skip = opt.on_skip;
  const StreamHeader& h = rs_->reader->header();
  decoder_ = std::make_unique<SegmentDecoder>(h, opt.device, opt.dtype);
  decoder_->set_batch(opt.batch);
  if (!opt_.frame_queue) opt_.frame_queue = std::max<size_t>(4, h.segment_frames);
  rs_->bytes_read = rs_->reader->position();
  // Read before the reader thread owns the file position.
  if (rs_->reader->seekable()) rs_->intra = rs_->reader->intra_segments();
  start();
}

DecodePipeline::~DecodePipeline() {
  stop();
}

const StreamHeader& DecodePipeline::header() const {
  return rs_->reader->header();
}
bool DecodePipeline::seekable() const {
  return rs_->reader->seekable();
}
const std::vector<IndexEntry>& DecodePipeline::intra_segments() const {
  return rs_->intra;
}
uint64_t DecodePipeline::bytes_read() const {
  return rs_->bytes_read;
}

void DecodePipeline::start() {
  rs_->chunks = std::make_unique<BoundedQueue<ReadChunk>>(2);
  frames_ = std::make_unique<BoundedQueue<DecodedFrame>>(opt_.frame_queue);
  rs_->error = nullptr;
  rs_->cancel.reset();
  BoundedQueue<ReadChunk>* chunks = rs_->chunks.get();
  reader_thread_ = std::thread([rs = rs_, chunks] { read_stage(rs, chunks); });
  try {
    decoder_thread_ = std::thread([this, chunks] { decode_stage(chunks); });
  } catch (...) {  // no thread left running (a joinable std::thread destroyed would terminate)
    stop();
    throw;
  }
}

void DecodePipeline::stop() {
  if (rs_->chunks) rs_->chunks->cancel();
  if (frames_) frames_->cancel();
  // A file read returns promptly; a pipe's may wait for its writer indefinitely: that read
  // ends (with an error nobody collects) when the cancel is signalled.
  rs_->cancel.cancel();
  if (decoder_thread_.joinable()) decoder_thread_.join();
  if (reader_thread_.joinable()) reader_thread_.join();
}

void DecodePipeline::decode_stage(BoundedQueue<ReadChunk>* chunks) {
  try {
    ReadChunk c;
    std::vector<Frame> frames;
    using Clock = std::chrono::steady_clock;
    auto ns = [](Clock::time_point a, Clock::time_point b) {
      return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
    };
    while (chunks->pop(c)) {
      auto mark = Clock::now();
      bool cancelled = false;
      // Frames go out batch by batch, so the first can be shown before the segment is done.
      auto hand_on = [&](size_t first, size_t count) {
        decode_ns_ += ns(mark, Clock::now());  // time spent waiting on the queue is not decoding
        frames_decoded_ += count;
        for (size_t i = first; i < first + count; ++i) {
          DecodedFrame d{std::move(frames[i]), c.c.segment.index, c.c.segment.type,
                         i == 0 ? c.bytes : 0};
          {
            // Hand the decoder a frame the consumer is done with: its planes are reused.
            std::lock_guard<std::mutex> l(spare_m_);
            if (!spare_.empty()) {
              frames[i] = std::move(spare_.back());
              spare_.pop_back();
            }
          }
          if (!frames_->push(std::move(d))) {
            cancelled = true;
            return false;
          }
        }
        mark = Clock::now();
        return true;
      };
      try {
        decoder_->rebuild(c.c.segment, c.c.payload);
        decoder_->reconstruct(frames, hand_on);
      } catch (const Error& e) {
        // The decoder has dropped its reference: residual segments fail until the next intra.
        if (!opt_.skip_errors) throw;
        rs_->report(std::string(e.what()) + "; segment skipped");
        continue;
      }
      if (cancelled) return;
    }
  } catch (...) {
    rs_->fail(std::current_exception());
    chunks->cancel();  // unblock the reader
  }
  frames_->close();
}

bool DecodePipeline::next(DecodedFrame& out) {
  if (!out.frame.planes[0].empty()) {
    std::lock_guard<std::mutex> l(spare_m_);
    if (spare_.size() < 2 * opt_.frame_queue) spare_.push_back(std::move(out.frame));
  }
  if (frames_->pop(out)) return true;
  std::lock_guard<std::mutex> l(rs_->m);
  if (rs_->error) std::rethrow_exception(rs_->error);
  return false;
}

void DecodePipeline::seek(const IndexEntry& e) {
  if (!seekable()) throw Error(rs_->input + ": cannot seek in a pipe");
  stop();
  rs_->reader->seek(e);
  start();
}

}  // namespace nerv
