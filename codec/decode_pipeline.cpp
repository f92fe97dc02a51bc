#include "codec/decode_pipeline.h"

#include <chrono>

#include "codec/segment_decoder.h"
#include "io/error.h"

namespace nerv {

DecodePipeline::DecodePipeline(const std::string& input, const DecodeOptions& opt)
    : opt_(opt), input_(input), reader_(std::make_unique<BitstreamReader>(input)) {
  decoder_ = std::make_unique<SegmentDecoder>(reader_->header(), opt.device, opt.dtype);
  decoder_->set_batch(opt.batch);
  if (!opt_.frame_queue) opt_.frame_queue = std::max<size_t>(4, reader_->header().segment_frames);
  bytes_read_ = reader_->position();
  // Read before the reader thread owns the file position.
  if (reader_->seekable()) intra_ = reader_->intra_segments();
  start();
}

DecodePipeline::~DecodePipeline() {
  stop();
}

void DecodePipeline::start() {
  chunks_ = std::make_unique<BoundedQueue<Chunk>>(2);
  frames_ = std::make_unique<BoundedQueue<DecodedFrame>>(opt_.frame_queue);
  error_ = nullptr;
  reader_thread_ = std::thread([this] { read_stage(); });
  decoder_thread_ = std::thread([this] { decode_stage(); });
}

void DecodePipeline::stop() {
  if (chunks_) chunks_->cancel();
  if (frames_) frames_->cancel();
  if (reader_thread_.joinable()) reader_thread_.join();
  if (decoder_thread_.joinable()) decoder_thread_.join();
}

void DecodePipeline::fail(std::exception_ptr e) {
  std::lock_guard<std::mutex> l(err_m_);
  if (!error_) error_ = e;
}

void DecodePipeline::read_stage() {
  try {
    for (;;) {
      Chunk c;
      uint64_t before = reader_->position();
      if (!reader_->next(c.c)) break;
      c.bytes = reader_->position() - before;
      bytes_read_ = reader_->position();
      if (c.c.kind != BitstreamReader::Chunk::Segment) continue;
      if (!chunks_->push(std::move(c))) return;
    }
  } catch (...) {
    fail(std::current_exception());
  }
  chunks_->close();
}

void DecodePipeline::decode_stage() {
  try {
    Chunk c;
    std::vector<Frame> frames;
    while (chunks_->pop(c)) {
      auto t0 = std::chrono::steady_clock::now();
      decoder_->decode(c.c.segment, c.c.payload, frames);
      decode_ns_ += uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now() - t0)
                                 .count());
      frames_decoded_ += frames.size();
      for (size_t i = 0; i < frames.size(); ++i) {
        DecodedFrame d{std::move(frames[i]), c.c.segment.index, c.c.segment.type,
                       i == 0 ? c.bytes : 0};
        if (!frames_->push(std::move(d))) return;
      }
    }
  } catch (...) {
    fail(std::current_exception());
    chunks_->cancel();  // unblock the reader
  }
  frames_->close();
}

bool DecodePipeline::next(DecodedFrame& out) {
  if (frames_->pop(out)) return true;
  std::lock_guard<std::mutex> l(err_m_);
  if (error_) std::rethrow_exception(error_);
  return false;
}

void DecodePipeline::abandon() {
  chunks_->cancel();
  frames_->cancel();
  if (decoder_thread_.joinable()) decoder_thread_.join();
  if (reader_thread_.joinable()) reader_thread_.detach();
}

void DecodePipeline::seek(const IndexEntry& e) {
  if (!seekable()) throw Error(input_ + ": cannot seek in a pipe");
  stop();
  reader_->seek(e);
  start();
}

}  // namespace nerv
