// The .nerv container, as specified in docs/bitstream.md: stream header, then one chunk per
// segment, then an index of intra segments and an end chunk. Everything that reads or writes
// those bytes is here, in the order of the spec's sections.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/file_source.h"
#include "io/frame.h"

namespace nerv {

constexpr uint8_t kVersionMajor = 1;
// 1.1: the grid family (§8); 1.2: chain_context (§8.3); 1.3: RGB 4:4:4 (§2 pixel_format)
constexpr uint8_t kVersionMinor = 5;

constexpr int64_t kMaxSegmentFrames = 1024;  // §2 segment_frames

// §2 Stream header.
struct StreamHeader {
  int version_minor = kVersionMinor;  // as read; written streams always carry kVersionMinor
  int width = 0, height = 0;
  Rational fps{25, 1};
  uint64_t frame_count = 0;          // 0: unknown (the stream was written to a pipe)
  PixFmt pix_fmt = PixFmt::YUV420P;  // or RGBP, GRAY (still images); matrix, range: YUV only
  ColorMatrix matrix = ColorMatrix::BT601;
  ColorRange range = ColorRange::Limited;
  uint32_t segment_frames = 0;
  uint32_t intra_period = 0;
  nlohmann::json config;  // {"model": ..., "quant": ...}

  // What a video writer needs to know of the decoded frames.
  VideoInfo video_info() const {
    VideoInfo vi;
    vi.width = width;
    vi.height = height;
    vi.fps = fps;
    vi.fmt = pix_fmt;
    vi.matrix = matrix;
    vi.range = range;
    return vi;
  }
};

// §3 Segment chunks.
enum class SegmentType : uint8_t { Intra = 0, Residual = 1 };

struct SegmentHeader {
  SegmentType type = SegmentType::Intra;
  uint32_t index = 0;
  uint64_t first_frame = 0;
  uint32_t frames = 0;
  uint64_t offset = 0;  // byte position of the chunk in the stream (filled by the reader)
};

// §4 Index and §5 end chunk.
struct IndexEntry {
  uint32_t segment = 0;
  uint64_t first_frame = 0;
  uint64_t offset = 0;
};

struct StreamEnd {
  uint64_t total_frames = 0;
  uint32_t total_segments = 0;
  uint64_t index_offset = 0;
};

std::vector<uint8_t> write_stream_header(const StreamHeader& h);
std::vector<uint8_t> write_segment_chunk(const SegmentHeader& h,
                                         const std::vector<uint8_t>& payload);
std::vector<uint8_t> write_index_chunk(const std::vector<IndexEntry>& entries);
std::vector<uint8_t> write_end_chunk(const StreamEnd& e);
// §5.1 A chunk a decoder may skip: tag (a lower-case letter, then three letters or digits),
// u32 size, body, CRC.
std::vector<uint8_t> write_ancillary_chunk(const char tag[4], const std::vector<uint8_t>& body);

// Sequential reader over a file or a pipe ("-"). Every problem is a nerv::Error naming it.
class BitstreamReader {
 public:
  // `cancel` (optional, outliving the reader): see FileSource.
  explicit BitstreamReader(const std::string& path, const ReadCancel* cancel = nullptr);
  // From a stream already open (owned from here on), of `size` bytes (0: unknown, read as a
  // pipe); `name` prefixes error messages.
  BitstreamReader(FILE* opened, uint64_t size, const std::string& name);
  const StreamHeader& header() const { return header_; }

  struct Chunk {
    enum Kind { Segment, Index, End, Ancillary } kind = Segment;  // next() skips Ancillary
    SegmentHeader segment;
    std::string tag;               // of an ancillary chunk
    std::vector<uint8_t> payload;  // segment payload, or an ancillary chunk's body
    std::vector<IndexEntry> index;
    StreamEnd end;
  };
  // The next chunk; false once the end chunk has been read. A stream that stops before its end
  // chunk throws "truncated".
  bool next(Chunk& out);
  // As next(), but ancillary chunks (§5.1) come back too, with their tag and body.
  bool next_chunk(Chunk& out);
  // After next() threw on a damaged chunk: reads on from the second byte of that chunk to the
  // next chunk that reads back intact (its CRC matches), and returns it as next() would; the
  // segments in between are lost, counting goes on from the chunk found. Works on pipes (it
  // never seeks). False if the stream ends first. Needs allow_resync(), from which on next()
  // keeps a copy of the chunk it reads.
  void allow_resync() { resync_allowed_ = true; }
  bool resync(Chunk& out);
  uint64_t position() const { return pos_; }

  // Random access, for files only (a pipe cannot seek: these throw there).
  bool seekable() const { return file_size_ != 0; }
  // The intra segments and where they start: from the index at the end of a complete stream,
  // else (a stream still being written, or cut off) by scanning the chunk headers.
  std::vector<IndexEntry> intra_segments();
  // Continues reading at an intra segment's chunk.
  void seek(const IndexEntry& e);

 private:
  void read_exact(void* dst, size_t n, const char* what);
  bool read_some(void* dst, size_t n, size_t& got);
  void unread(const uint8_t* bytes, size_t n);  // read again by the next reads
  void read_growing(std::vector<uint8_t>& out, size_t size, const char* what);
  void read_header();
  void read_chunk(Chunk& out);
  void seek_raw(uint64_t offset);
  std::vector<IndexEntry> index_from_end();
  std::vector<IndexEntry> index_by_scanning();

  FileSource src_;
  FILE* f_;
  std::string name_;
  uint64_t pos_ = 0;
  uint64_t file_size_ = 0;  // 0 when unknown (pipe)
  StreamHeader header_;
  bool ended_ = false;
  uint32_t next_segment_ = 0;
  uint64_t next_frame_ = 0;
  uint64_t header_end_ = 0;           // offset of the first chunk
  std::vector<uint8_t> chunk_bytes_;  // every byte next() read of the chunk it is reading
  std::vector<uint8_t> unread_;       // bytes given back, consumed from unread_pos_ on
  size_t unread_pos_ = 0;
  bool resync_allowed_ = false;
  bool recording_ = false;      // next() is filling chunk_bytes_
  bool resyncing_ = false;      // the next segment chunk may come after lost ones
  bool lost_segments_ = false;  // resync() passed over damaged chunks: totals may be larger
};

}  // namespace nerv
