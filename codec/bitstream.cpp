#include "codec/bitstream.h"

#include <zlib.h>

#include <cstring>

#include "base/error.h"
#include "codec/byte_io.h"

namespace nerv {
namespace {

constexpr char kMagic[4] = {'N', 'E', 'R', 'V'};
constexpr char kTagSegment[4] = {'S', 'E', 'G', 'M'};
constexpr char kTagIndex[4] = {'I', 'N', 'D', 'X'};
constexpr char kTagEnd[4] = {'E', 'N', 'D', 'S'};
constexpr uint32_t kMaxHeaderFields = 1 << 20;
constexpr uint32_t kMaxPayload = 256u << 20;
constexpr uint32_t kMaxIndexEntries = 1 << 24;
constexpr uint32_t kMaxAncillary = 16u << 20;
constexpr int kMaxDim = 16384;

uint32_t crc_of(const uint8_t* p, size_t n) {
  return uint32_t(crc32(crc32(0L, Z_NULL, 0), p, uInt(n)));
}

void append_crc(ByteWriter& w) {
  w.u32(crc_of(w.data().data(), w.size()));
}

bool is_upper(uint8_t c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(uint8_t c) {
  return c >= 'a' && c <= 'z';
}
// §5.1: a chunk tag is four ASCII letters or digits; a lower-case first letter makes the chunk
// ancillary, an upper-case one required.
bool is_tag(const uint8_t* t) {
  auto ok = [](uint8_t c) { return is_upper(c) || is_lower(c) || (c >= '0' && c <= '9'); };
  return ok(t[0]) && ok(t[1]) && ok(t[2]) && ok(t[3]);
}
bool is_ancillary_tag(const uint8_t* t) {
  return is_tag(t) && is_lower(t[0]);
}

std::string segment_name(uint32_t i) {
  return "segment " + std::to_string(i);
}

}  // namespace

// §2
std::vector<uint8_t> write_stream_header(const StreamHeader& h) {
  ByteWriter w;
  w.bytes(kMagic, 4);
  w.u8(kVersionMajor);
  w.u8(kVersionMinor);
  size_t len_pos = w.size();
  w.u32(0);
  w.u32(uint32_t(h.width));
  w.u32(uint32_t(h.height));
  w.u32(uint32_t(h.fps.num));
  w.u32(uint32_t(h.fps.den));
  w.u64(h.frame_count);
  // Pixel format (§2): 8-bit yuv420p, planar RGB or grey; RGB and grey carry no matrix and
  // use the full range.
  bool yuv = h.pix_fmt == PixFmt::YUV420P;
  if (!yuv && h.pix_fmt != PixFmt::RGBP && h.pix_fmt != PixFmt::GRAY)
    throw Error("streams carry yuv420p, rgb or gray frames");
  w.u8(yuv ? 0 : h.pix_fmt == PixFmt::RGBP ? 1 : 2);
  w.u8(yuv && h.matrix == ColorMatrix::BT709 ? 1 : 0);
  w.u8(!yuv || h.range == ColorRange::Full ? 1 : 0);
  w.u32(h.segment_frames);
  w.u32(h.intra_period);
  std::string cfg = h.config.dump();
  w.u32(uint32_t(cfg.size()));
  w.bytes(cfg.data(), cfg.size());
  w.patch_u32(len_pos, uint32_t(w.size() - len_pos - 4));
  append_crc(w);
  return std::move(w.data());
}

// §3
std::vector<uint8_t> write_segment_chunk(const SegmentHeader& h,
                                         const std::vector<uint8_t>& payload) {
  ByteWriter w;
  w.bytes(kTagSegment, 4);
  w.u8(uint8_t(h.type));
  w.u32(h.index);
  w.u64(h.first_frame);
  w.u32(h.frames);
  w.u32(uint32_t(payload.size()));
  w.bytes(payload);
  append_crc(w);
  return std::move(w.data());
}

// §5.1
std::vector<uint8_t> write_ancillary_chunk(const char tag[4], const std::vector<uint8_t>& body) {
  if (!is_ancillary_tag(reinterpret_cast<const uint8_t*>(tag)))
    throw Error("ancillary chunk tags start with a lower-case letter and are alphanumeric");
  if (body.size() > kMaxAncillary) throw Error("ancillary chunk too large");
  ByteWriter w;
  w.bytes(tag, 4);
  w.u32(uint32_t(body.size()));
  w.bytes(body);
  append_crc(w);
  return std::move(w.data());
}

// §4
std::vector<uint8_t> write_index_chunk(const std::vector<IndexEntry>& entries) {
  ByteWriter w;
  w.bytes(kTagIndex, 4);
  w.u32(uint32_t(entries.size()));
  for (const IndexEntry& e : entries) {
    w.u32(e.segment);
    w.u64(e.first_frame);
    w.u64(e.offset);
  }
  append_crc(w);
  return std::move(w.data());
}

// §5
std::vector<uint8_t> write_end_chunk(const StreamEnd& e) {
  ByteWriter w;
  w.bytes(kTagEnd, 4);
  w.u64(e.total_frames);
  w.u32(e.total_segments);
  w.u64(e.index_offset);
  append_crc(w);
  return std::move(w.data());
}

BitstreamReader::BitstreamReader(const std::string& path, const ReadCancel* cancel)
    : src_(path, cancel), f_(src_.get()), name_(path), file_size_(src_.size()) {
  read_header();
}

BitstreamReader::BitstreamReader(FILE* opened, uint64_t size, const std::string& name)
    : src_(opened, size), f_(src_.get()), name_(name), file_size_(size) {
  read_header();
}

bool BitstreamReader::read_some(void* dst, size_t n, size_t& got) {
  uint8_t* d = static_cast<uint8_t*>(dst);
  got = std::min(n, unread_.size() - unread_pos_);  // bytes given back first
  if (got > 0) std::memcpy(d, unread_.data() + unread_pos_, got);
  unread_pos_ += got;
  if (got > 0 && unread_pos_ == unread_.size()) {  // all given back: free it
    std::vector<uint8_t>().swap(unread_);
    unread_pos_ = 0;
  }
  if (got < n) got += std::fread(d + got, 1, n - got, f_);
  pos_ += got;
  if (recording_) chunk_bytes_.insert(chunk_bytes_.end(), d, d + got);
  if (got < n && std::ferror(f_)) throw Error(name_ + ": read error: " + std::strerror(errno));
  return got == n;
}

void BitstreamReader::read_growing(std::vector<uint8_t>& out, size_t size, const char* what) {
  // Grow as bytes arrive, so that a lying size on a pipe cannot make us allocate it up front.
  out.clear();
  for (size_t done = 0; done < size;) {
    size_t step = std::min<size_t>(size - done, 1 << 20);
    out.resize(done + step);
    read_exact(out.data() + done, step, what);
    done += step;
  }
}

void BitstreamReader::unread(const uint8_t* bytes, size_t n) {
  std::vector<uint8_t> rest(unread_.begin() + std::ptrdiff_t(unread_pos_), unread_.end());
  unread_.assign(bytes, bytes + n);
  unread_.insert(unread_.end(), rest.begin(), rest.end());
  unread_pos_ = 0;
  pos_ -= n;
}

void BitstreamReader::read_exact(void* dst, size_t n, const char* what) {
  size_t got = 0;
  if (!read_some(dst, n, got)) throw Error(name_ + ": truncated " + what);
}

void BitstreamReader::read_header() {
  uint8_t fixed[10];
  size_t got = 0;
  read_some(fixed, 10, got);
  if (got < 4 || std::memcmp(fixed, kMagic, 4) != 0) throw Error(name_ + ": not a .nerv stream");
  if (got < 10) throw Error(name_ + ": truncated stream header");
  if (fixed[4] != kVersionMajor)
    throw Error(name_ + ": unsupported .nerv version " + std::to_string(fixed[4]) + "." +
                std::to_string(fixed[5]) + " (this nervc reads " + std::to_string(kVersionMajor) +
                ".x)");
  ByteReader len_r(fixed + 6, 4, "stream header");
  uint32_t len = len_r.u32();
  if (len > kMaxHeaderFields || (file_size_ && len + 14 > file_size_))
    throw Error(name_ + ": stream header length " + std::to_string(len) + " is impossible");
  std::vector<uint8_t> all(10 + size_t(len) + 4);
  std::memcpy(all.data(), fixed, 10);
  read_exact(all.data() + 10, len + 4, "stream header");
  ByteReader crc_r(all.data() + 10 + len, 4, "stream header");
  if (crc_r.u32() != crc_of(all.data(), 10 + len))
    throw Error(name_ + ": stream header: CRC mismatch");

  ByteReader r(all.data() + 10, len, name_ + ": stream header");
  StreamHeader& h = header_;
  h.version_minor = fixed[5];
  uint32_t w = r.u32(), hh = r.u32();
  if (w < 1 || hh < 1 || w > kMaxDim || hh > kMaxDim)
    throw Error(name_ + ": frame size " + std::to_string(w) + "x" + std::to_string(hh) +
                " is out of range");
  h.width = int(w);
  h.height = int(hh);
  uint32_t num = r.u32(), den = r.u32();
  if (num == 0 || den == 0 || num > 1000000 || den > 1000000)
    throw Error(name_ + ": frame rate " + std::to_string(num) + "/" + std::to_string(den) +
                " is invalid");
  h.fps = {int(num), int(den)};
  h.frame_count = r.u64();
  uint8_t pf = r.u8();
  if (pf > 2) throw Error(name_ + ": unsupported pixel format " + std::to_string(pf));
  h.pix_fmt = pf == 0 ? PixFmt::YUV420P : pf == 1 ? PixFmt::RGBP : PixFmt::GRAY;
  uint8_t m = r.u8(), rg = r.u8();
  if (m > 1 || rg > 1) throw Error(name_ + ": invalid colour matrix or range");
  h.matrix = m ? ColorMatrix::BT709 : ColorMatrix::BT601;
  h.range = rg ? ColorRange::Full : ColorRange::Limited;
  h.segment_frames = r.u32();
  h.intra_period = r.u32();
  if (h.segment_frames < 1 || h.segment_frames > kMaxSegmentFrames || h.intra_period < 1 ||
      h.intra_period > 65535)
    throw Error(name_ + ": segment length or intra period out of range");
  uint32_t cfg_len = r.u32();
  const uint8_t* cfg = r.take(cfg_len);
  try {
    h.config = nlohmann::json::parse(cfg, cfg + cfg_len);
  } catch (const nlohmann::json::exception&) {
    throw Error(name_ + ": stream header: invalid model config");
  }
  if (r.remaining() != 0) throw Error(name_ + ": stream header: unexpected trailing bytes");
  header_end_ = pos_;
}

void BitstreamReader::seek_raw(uint64_t offset) {
  if (!seekable()) throw Error(name_ + ": cannot seek in a pipe");
  if (offset > file_size_ || fseeko(f_, off_t(offset), SEEK_SET) != 0)
    throw Error(name_ + ": cannot seek to byte " + std::to_string(offset));
  pos_ = offset;
  unread_.clear();
  unread_pos_ = 0;
}

std::vector<IndexEntry> BitstreamReader::index_from_end() {
  constexpr uint64_t kEndSize = 28;  // tag, 24 bytes of fields, CRC
  if (file_size_ < header_end_ + kEndSize) return {};
  seek_raw(file_size_ - kEndSize);
  uint8_t tag[4];
  size_t got = 0;
  if (!read_some(tag, 4, got) || std::memcmp(tag, kTagEnd, 4) != 0) return {};
  uint8_t body[24];
  read_exact(body, sizeof body, "end chunk");
  ByteWriter crc_buf;
  crc_buf.bytes(tag, 4);
  crc_buf.bytes(body, 20);
  ByteReader r(body, sizeof body, "end chunk");
  StreamEnd e;
  e.total_frames = r.u64();
  e.total_segments = r.u32();
  e.index_offset = r.u64();
  if (r.u32() != crc_of(crc_buf.data().data(), crc_buf.size()) || e.index_offset < header_end_ ||
      e.index_offset >= file_size_)
    return {};
  seek_raw(e.index_offset);
  next_segment_ = e.total_segments;  // what next() checks the entry count against
  Chunk c;
  if (!next(c) || c.kind != Chunk::Index) return {};
  for (const IndexEntry& x : c.index)
    if (x.offset < header_end_ || x.offset >= e.index_offset)
      throw Error(name_ + ": index: entry for segment " + std::to_string(x.segment) +
                  " points outside the stream");
  return c.index;
}

std::vector<IndexEntry> BitstreamReader::index_by_scanning() {
  std::vector<IndexEntry> out;
  uint64_t at = header_end_;
  while (at + 25 <= file_size_) {
    seek_raw(at);
    uint8_t head[25];  // tag and the fixed segment chunk header
    size_t got = 0;
    read_some(head, sizeof head, got);
    if (got >= 8 && is_ancillary_tag(head)) {  // over an ancillary chunk
      at += 8 + uint64_t(ByteReader(head + 4, 4, "chunk").u32()) + 4;
      continue;
    }
    if (got < sizeof head || std::memcmp(head, kTagSegment, 4) != 0) break;
    ByteReader r(head + 4, 21, "segment chunk");
    uint8_t type = r.u8();
    uint32_t index = r.u32();
    uint64_t first = r.u64();
    r.u32();  // frames
    uint32_t size = r.u32();
    if (type == uint8_t(SegmentType::Intra)) out.push_back({index, first, at});
    at += 25 + uint64_t(size) + 4;
  }
  return out;
}

std::vector<IndexEntry> BitstreamReader::intra_segments() {
  uint64_t pos = pos_;
  uint32_t seg = next_segment_;
  uint64_t frame = next_frame_;
  bool ended = ended_;
  std::vector<IndexEntry> out;
  try {
    out = index_from_end();
  } catch (const Error&) {  // a damaged index: the segments themselves may be fine
    out.clear();
  }
  if (out.empty()) out = index_by_scanning();
  seek_raw(pos);
  next_segment_ = seg;
  next_frame_ = frame;
  ended_ = ended;
  return out;
}

void BitstreamReader::seek(const IndexEntry& e) {
  seek_raw(e.offset);
  next_segment_ = e.segment;
  next_frame_ = e.first_frame;
  ended_ = false;
}

bool BitstreamReader::next(Chunk& out) {
  if (ended_) return false;
  do read_chunk(out);
  while (out.kind == Chunk::Ancillary);
  return true;
}

bool BitstreamReader::next_chunk(Chunk& out) {
  if (ended_) return false;
  read_chunk(out);
  return true;
}

void BitstreamReader::read_chunk(Chunk& out) {
  uint64_t chunk_pos = pos_;
  chunk_bytes_.clear();  // kept for resync() should this chunk turn out damaged
  recording_ = resync_allowed_;
  struct StopRecording {
    bool& on;
    ~StopRecording() { on = false; }
  } stop{recording_};
  uint8_t tag[4];
  size_t got = 0;
  read_some(tag, 4, got);
  if (got == 0)
    throw Error(name_ + ": truncated after " + std::to_string(next_segment_) +
                " segments (no end chunk)");
  if (got < 4) throw Error(name_ + ": truncated chunk tag");
  ByteWriter crc_buf;  // the chunk's bytes so far, for its CRC
  crc_buf.bytes(tag, 4);

  if (std::memcmp(tag, kTagSegment, 4) == 0) {
    uint8_t fixed[21];
    std::string name = segment_name(next_segment_);
    read_exact(fixed, sizeof fixed, ("chunk header of " + name).c_str());
    crc_buf.bytes(fixed, sizeof fixed);
    ByteReader r(fixed, sizeof fixed, name);
    SegmentHeader& s = out.segment;
    uint8_t type = r.u8();
    s.index = r.u32();
    s.first_frame = r.u64();
    s.frames = r.u32();
    uint32_t size = r.u32();
    s.offset = chunk_pos;
    if (type > 1) throw Error(name + ": unknown segment type " + std::to_string(type));
    s.type = SegmentType(type);
    // After lost segments (resync) a later segment may follow, never an earlier one.
    if (resyncing_ ? s.index < next_segment_ || s.index - next_segment_ > kMaxIndexEntries
                   : s.index != next_segment_)
      throw Error(name + ": out of order (chunk says segment " + std::to_string(s.index) + ")");
    if (resyncing_ ? s.first_frame < next_frame_ : s.first_frame != next_frame_)
      throw Error(name + ": first frame " + std::to_string(s.first_frame) +
                  " does not follow frame " + std::to_string(next_frame_));
    if (s.frames < 1 || s.frames > header_.segment_frames)
      throw Error(name + ": frame count " + std::to_string(s.frames) + " is out of range");
    if (size > kMaxPayload || (file_size_ && pos_ + size + 4 > file_size_))
      throw Error(name + ": payload size " + std::to_string(size) +
                  " exceeds the stream (truncated?)");
    read_growing(out.payload, size, ("payload of " + name).c_str());
    crc_buf.bytes(out.payload);
    uint8_t crc[4];
    read_exact(crc, 4, ("CRC of " + name).c_str());
    if (ByteReader(crc, 4, name).u32() != crc_of(crc_buf.data().data(), crc_buf.size()))
      throw Error(name + ": CRC mismatch");
    out.kind = Chunk::Segment;
    next_segment_ = s.index + 1;
    next_frame_ = s.first_frame + s.frames;
    return;
  }

  if (std::memcmp(tag, kTagIndex, 4) == 0) {
    uint8_t cnt[4];
    read_exact(cnt, 4, "index");
    crc_buf.bytes(cnt, 4);
    uint32_t n = ByteReader(cnt, 4, "index").u32();
    if (n > kMaxIndexEntries || (n > next_segment_ && !lost_segments_))
      throw Error(name_ + ": index: impossible entry count");
    std::vector<uint8_t> body;
    read_growing(body, size_t(n) * 20 + 4, "index");
    crc_buf.bytes(body.data(), body.size() - 4);
    ByteReader r(body.data(), body.size(), "index");
    out.index.clear();
    for (uint32_t i = 0; i < n; ++i) {
      IndexEntry e;
      e.segment = r.u32();
      e.first_frame = r.u64();
      e.offset = r.u64();
      out.index.push_back(e);
    }
    if (r.u32() != crc_of(crc_buf.data().data(), crc_buf.size()))
      throw Error(name_ + ": index: CRC mismatch");
    out.kind = Chunk::Index;
    return;
  }

  if (std::memcmp(tag, kTagEnd, 4) == 0) {
    uint8_t body[24];
    read_exact(body, sizeof body, "end chunk");
    crc_buf.bytes(body, 20);
    ByteReader r(body, sizeof body, "end chunk");
    out.end.total_frames = r.u64();
    out.end.total_segments = r.u32();
    out.end.index_offset = r.u64();
    if (r.u32() != crc_of(crc_buf.data().data(), crc_buf.size()))
      throw Error(name_ + ": end chunk: CRC mismatch");
    // After lost segments (resync) the totals may only be larger than what was read.
    if (lost_segments_
            ? out.end.total_frames < next_frame_ || out.end.total_segments < next_segment_
            : out.end.total_frames != next_frame_ || out.end.total_segments != next_segment_)
      throw Error(name_ + ": end chunk disagrees with the segments read");
    out.kind = Chunk::End;
    ended_ = true;
    return;
  }
  std::string tag_name(reinterpret_cast<const char*>(tag), 4);
  if (is_ancillary_tag(tag)) {  // skipped once its CRC checks out
    uint8_t len[4];
    read_exact(len, 4, ("length of chunk '" + tag_name + "'").c_str());
    crc_buf.bytes(len, 4);
    uint32_t size = ByteReader(len, 4, tag_name).u32();
    if (size > kMaxAncillary || (file_size_ && pos_ + size + 4 > file_size_))
      throw Error(name_ + ": chunk '" + tag_name + "': size " + std::to_string(size) +
                  " exceeds the stream (truncated?)");
    std::vector<uint8_t> body;
    read_growing(body, size_t(size) + 4, ("chunk '" + tag_name + "'").c_str());
    crc_buf.bytes(body.data(), size);
    if (ByteReader(body.data() + size, 4, tag_name).u32() !=
        crc_of(crc_buf.data().data(), crc_buf.size()))
      throw Error(name_ + ": chunk '" + tag_name + "': CRC mismatch");
    out.kind = Chunk::Ancillary;
    out.tag = tag_name;
    body.resize(size);
    out.payload = std::move(body);
    return;
  }
  if (is_tag(tag) && is_upper(tag[0]))  // required, and unknown
    throw Error(name_ + ": unknown required chunk '" + tag_name + "' at byte " +
                std::to_string(chunk_pos) + " (written by a newer nervc?)");
  throw Error(name_ + ": unknown chunk at byte " + std::to_string(chunk_pos) +
              " (corrupt stream?)");
}

bool BitstreamReader::resync(Chunk& out) {
  if (!resync_allowed_) throw Error(name_ + ": resync without allow_resync()");
  std::vector<uint8_t> damaged = std::move(chunk_bytes_);
  if (!damaged.empty()) unread(damaged.data() + 1, damaged.size() - 1);
  resyncing_ = lost_segments_ = true;
  struct Done {
    bool& on;
    ~Done() { on = false; }
  } done{resyncing_};
  for (;;) {
    // Slide to the next chunk tag, then try to read the chunk that starts there.
    uint8_t w[4];
    size_t got = 0;
    if (!read_some(w, 4, got)) return false;
    while (std::memcmp(w, kTagSegment, 4) != 0 && std::memcmp(w, kTagIndex, 4) != 0 &&
           std::memcmp(w, kTagEnd, 4) != 0) {
      std::memmove(w, w + 1, 3);
      if (!read_some(w + 3, 1, got)) return false;
    }
    unread(w, 4);
    try {
      return next(out);
    } catch (const Error&) {  // not a chunk after all, or damaged too: on from its second byte
      std::vector<uint8_t> bytes = std::move(chunk_bytes_);
      if (!bytes.empty()) unread(bytes.data() + 1, bytes.size() - 1);
    }
  }
}

}  // namespace nerv
