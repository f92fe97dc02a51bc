// Decoding as a pipeline of threads joined by bounded queues: reading chunks (file or pipe),
// rebuilding weights and running the network, then the caller's own stage (conversion, output,
// display) pulling frames with next(). Reading, inference and output overlap; memory is bounded
// by the queue sizes. Shared by `nervc decode` and `nervc play`.
#pragma once
#include <torch/torch.h>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "codec/bitstream.h"
#include "codec/bounded_queue.h"
#include "io/frame.h"

namespace nerv {

struct DecodeOptions {
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat;
  int batch = 4;           // frames per network run
  size_t frame_queue = 0;  // decoded frames held ahead of the consumer; 0: one segment's worth
  // Damaged segments are reported and skipped up to the next intra segment (files: the index
  // says where it is) instead of ending the decode. Called from a pipeline thread.
  bool skip_errors = false;
  std::function<void(const std::string&)> on_skip;
};

struct ReadChunk;  // a chunk between the reader and decoder stages

struct DecodedFrame {
  Frame frame;
  uint32_t segment = 0;
  SegmentType type = SegmentType::Intra;
  uint64_t chunk_bytes = 0;  // size of the segment's chunk, on its first frame only
};

class DecodePipeline {
 public:
  // Opens the stream and reads its header in the caller's thread (errors are thrown here).
  DecodePipeline(const std::string& input, const DecodeOptions& opt);
  // The same over a stream the caller opened (owned from here on; see BitstreamReader). Its
  // reads cannot be cancelled: stopping waits for a read in progress to return.
  DecodePipeline(FILE* opened, uint64_t size, const std::string& name, const DecodeOptions& opt);
  ~DecodePipeline();
  DecodePipeline(const DecodePipeline&) = delete;
  DecodePipeline& operator=(const DecodePipeline&) = delete;

  const StreamHeader& header() const;
  struct ReadSide;  // what the reader thread uses (decode_pipeline.cpp)

  // The next frame in order; false at the end of the stream. An error in any stage (a
  // truncated or corrupt stream) is thrown here after every frame decoded before it.
  bool next(DecodedFrame& out);

  bool seekable() const;
  // Whether next() would return at once (a decoded frame is waiting).
  bool frame_ready() const { return frames_->size() > 0; }
  // Intra segments of a file, read when it was opened (see BitstreamReader::intra_segments);
  // empty for a pipe.
  const std::vector<IndexEntry>& intra_segments() const;
  // Restarts decoding at an intra segment (frames queued before are dropped): next() then
  // yields its first frame. Throws for a pipe.
  void seek(const IndexEntry& e);

  uint64_t bytes_read() const;
  // Frames decoded and seconds the decode stage spent on them: the decoder's own speed.
  uint64_t frames_decoded() const { return frames_decoded_; }
  double decode_seconds() const { return decode_ns_ * 1e-9; }

 private:
  void init();  // the constructors' common part, once the reader is open
  void start();
  void stop();
  void decode_stage(BoundedQueue<ReadChunk>* chunks);

  DecodeOptions opt_;
  // The reader thread's state. Its reads of a pipe wait on a ReadCancel as well, which stop()
  // signals, so that the thread can always be joined.
  std::shared_ptr<ReadSide> rs_;
  std::unique_ptr<class SegmentDecoder> decoder_;
  std::unique_ptr<BoundedQueue<DecodedFrame>> frames_;
  std::thread reader_thread_, decoder_thread_;
  std::mutex spare_m_;
  std::vector<Frame> spare_;  // frames the consumer is done with: their planes are reused
  std::atomic<uint64_t> frames_decoded_{0}, decode_ns_{0};
};

}  // namespace nerv
