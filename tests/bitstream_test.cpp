// The container's chunk rules (§5.1): ancillary chunks are skipped wherever they stand, also
// by the index scan; an unknown required chunk is refused by name.
#include "codec/bitstream.h"

#include <fstream>

#include "base/error.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

void append(std::vector<uint8_t>& to, const std::vector<uint8_t>& b) {
  to.insert(to.end(), b.begin(), b.end());
}

// Header, two segments (their payloads are never decoded here), index, end; an ancillary
// chunk before each segment and before the index when `extra`.
std::vector<uint8_t> stream(bool extra, const char* required_tag = nullptr) {
  StreamHeader h;
  h.width = h.height = 16;
  h.segment_frames = 4;
  h.intra_period = 1;
  h.config = {{"model", {{"arch", "grid"}}}};
  std::vector<uint8_t> s = write_stream_header(h);
  std::vector<IndexEntry> index;
  for (uint32_t i = 0; i < 2; ++i) {
    if (extra) append(s, write_ancillary_chunk("note", std::vector<uint8_t>(5 + i, 'x')));
    if (required_tag && i == 1) {  // shaped like an ancillary chunk, but upper case
      std::vector<uint8_t> c = write_ancillary_chunk("futr", {1, 2, 3});
      std::copy(required_tag, required_tag + 4, c.begin());
      append(s, c);
    }
    SegmentHeader sh;
    sh.index = i;
    sh.first_frame = 4 * i;
    sh.frames = 4;
    index.push_back({i, sh.first_frame, s.size()});
    append(s, write_segment_chunk(sh, {uint8_t(i), 7, 7}));
  }
  if (extra) append(s, write_ancillary_chunk("x2yz", {}));
  StreamEnd e{8, 2, s.size()};
  append(s, write_index_chunk(index));
  append(s, write_end_chunk(e));
  return s;
}

std::string save(const std::vector<uint8_t>& b) {
  std::string p = (test::scratch() / "s.nerv").string();
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  return p;
}

std::vector<BitstreamReader::Chunk::Kind> kinds(const std::string& path) {
  BitstreamReader r(path);
  std::vector<BitstreamReader::Chunk::Kind> out;
  BitstreamReader::Chunk c;
  while (r.next(c)) out.push_back(c.kind);
  return out;
}

TEST(Bitstream, AncillaryChunksAreSkipped) {
  using K = BitstreamReader::Chunk;
  std::vector<K::Kind> want = {K::Segment, K::Segment, K::Index, K::End};
  EXPECT_EQ(kinds(save(stream(false))), want);
  std::string p = save(stream(true));
  EXPECT_EQ(kinds(p), want);
  // Without an end chunk the index comes from scanning, which steps over them too.
  std::vector<uint8_t> cut = stream(true);
  cut.resize(cut.size() - 28);
  BitstreamReader r(save(cut));
  std::vector<IndexEntry> intra = r.intra_segments();
  ASSERT_EQ(intra.size(), 2u);
  EXPECT_EQ(intra[1].segment, 1u);
  EXPECT_EQ(intra[1].first_frame, 4u);
}

TEST(Bitstream, DamagedAncillaryChunkIsAnError) {
  std::vector<uint8_t> b = stream(true);
  size_t at = write_stream_header(BitstreamReader(save(b)).header()).size();
  b[at + 9] ^= 1;  // a body byte of the first "note" chunk
  try {
    kinds(save(b));
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("chunk 'note': CRC mismatch"), std::string::npos)
        << e.what();
  }
}

TEST(Bitstream, UnknownRequiredChunkIsRefusedByName) {
  try {
    kinds(save(stream(false, "FUTR")));
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown required chunk 'FUTR'"), std::string::npos)
        << e.what();
  }
  try {
    kinds(save(stream(false, "\x01\x02\x03\x04")));
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown chunk at byte"), std::string::npos) << e.what();
  }
  EXPECT_THROW(write_ancillary_chunk("Note", {}), Error);
}

}  // namespace
}  // namespace nerv
