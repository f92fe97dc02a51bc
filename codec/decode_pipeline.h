// Decoding as a pipeline of threads joined by bounded queues: reading chunks (file or pipe),
// rebuilding weights and running the network, then the caller's own stage (conversion, output,
// display) pulling frames with next(). Reading, inference and output overlap; memory is bounded
// by the queue sizes. Shared by `nervc decode` and `nervc play`.
#pragma once
#include <torch/torch.h>

#include <atomic>
#include <exception>
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
};

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
  ~DecodePipeline();
  DecodePipeline(const DecodePipeline&) = delete;
  DecodePipeline& operator=(const DecodePipeline&) = delete;

  const StreamHeader& header() const { return reader_->header(); }

  // The next frame in order; false at the end of the stream. An error in any stage (a
  // truncated or corrupt stream) is thrown here after every frame decoded before it.
  bool next(DecodedFrame& out);

  bool seekable() const { return reader_->seekable(); }
  // Intra segments of a file, read when it was opened (see BitstreamReader::intra_segments);
  // empty for a pipe.
  const std::vector<IndexEntry>& intra_segments() const { return intra_; }
  // Restarts decoding at an intra segment (frames queued before are dropped): next() then
  // yields its first frame. Throws for a pipe.
  void seek(const IndexEntry& e);

  uint64_t bytes_read() const { return bytes_read_; }
  // Frames decoded and seconds the decode stage spent on them: the decoder's own speed.
  uint64_t frames_decoded() const { return frames_decoded_; }
  double decode_seconds() const { return decode_ns_ * 1e-9; }

  // For quitting while a pipe has no data: stops the stages without waiting for a blocked
  // read. The object must then be leaked (the reader thread may still touch it) and the
  // process should end soon.
  void abandon();

 private:
  struct Chunk {
    BitstreamReader::Chunk c;
    uint64_t bytes = 0;
  };
  void start();
  void stop();
  void read_stage();
  void decode_stage();
  void fail(std::exception_ptr e);

  DecodeOptions opt_;
  std::string input_;
  std::unique_ptr<BitstreamReader> reader_;
  std::vector<IndexEntry> intra_;
  std::unique_ptr<class SegmentDecoder> decoder_;
  std::unique_ptr<BoundedQueue<Chunk>> chunks_;
  std::unique_ptr<BoundedQueue<DecodedFrame>> frames_;
  std::thread reader_thread_, decoder_thread_;
  std::mutex err_m_;
  std::exception_ptr error_;
  std::atomic<uint64_t> bytes_read_{0}, frames_decoded_{0}, decode_ns_{0};
};

}  // namespace nerv
