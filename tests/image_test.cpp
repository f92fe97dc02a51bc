// Still images end to end: detected by their container, read as planar RGB (or grey), coded by
// the grid family in 4:4:4 (pixel format 1 of the stream header; grey: 2), decoded to RGB (grey)
// and written as PNG.
// Data: kodim23_64x64.png is a 64x64 crop of Kodak's kodim23 (at 340, 200); rgba64_16x16.png
// and grey_32x32.png are that crop scaled down as 16-bit RGBA and 8-bit grey (ffmpeg -vf
// scale, -pix_fmt rgba64be / gray).
#include <fstream>

#include "base/error.h"
#include "codec/bitstream.h"
#include "codec/config.h"
#include "codec/decoder.h"
#include "codec/encoder.h"
#include "io/metrics.h"
#include "io/video_writer.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

using test::data;

std::unique_ptr<VideoReader> open_as(const std::string& path, PixFmt fmt) {
  auto r = open_video_reader(path, {});
  r->set_out_fmt(fmt);
  return r;
}
std::vector<Frame> read_as(const std::string& path, PixFmt fmt) {
  ReadOptions o;
  o.out_fmt = fmt;
  return test::read_all(path, o);
}
std::unique_ptr<VideoReader> open_rgb(const std::string& path) {
  return open_as(path, PixFmt::RGBP);
}

EncodeReport encode_image(const std::string& in, const std::string& out, const char* preset,
                          PixFmt fmt = PixFmt::RGBP) {
  auto reader = open_as(in, fmt);
  EncodeOptions opt;
  opt.cfg = load_preset(preset);
  opt.cfg.train.epochs = 200;
  opt.cfg.train.qat_epochs = 20;
  return encode_video(*reader, out, opt, nullptr);
}

std::vector<Frame> decode_all(const std::string& in, StreamHeader* header = nullptr) {
  std::vector<Frame> frames;
  decode_stream(
      in, {},
      [&](const StreamHeader& h) {
        if (header) *header = h;
      },
      [&](const Frame& f) { frames.push_back(f); });
  return frames;
}

TEST(Image, StillImagesAreDetectedByTheirContainer) {
  EXPECT_TRUE(is_still_image(open_video_reader(data("kodim23_64x64.png"), {})->info()));
  EXPECT_FALSE(is_still_image(open_video_reader(data("foreman_64x64_6f.y4m"), {})->info()));
  auto reader = open_video_reader(data("rgba64_16x16.png"), {});
  const VideoInfo& deep = reader->info();
  EXPECT_TRUE(deep.src_alpha);
  EXPECT_EQ(deep.src_bits, 16);
  EXPECT_TRUE(open_video_reader(data("grey_32x32.png"), {})->info().src_grey);
}

// The image preset on a 64x64 crop: RGB in, RGB out, the quality the encoder reported, and a
// floor that a broken pipeline (grey, swapped planes, 4:2:0 chroma) cannot reach.
TEST(Image, EncodesAndDecodesInRgb) {
  auto dir = test::scratch();
  std::string stream = (dir / "k.nerv").string();
  EncodeReport r = encode_image(data("kodim23_64x64.png"), stream, "image");
  StreamHeader h;
  std::vector<Frame> decoded = decode_all(stream, &h);
  EXPECT_EQ(h.pix_fmt, PixFmt::RGBP);
  EXPECT_EQ(h.version_minor, kVersionMinor);
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].fmt, PixFmt::RGBP);
  EXPECT_EQ(decoded[0].width, 64);
  auto source = read_as(data("kodim23_64x64.png"), PixFmt::RGBP);
  MetricsAccumulator acc;
  acc.add(source[0], decoded[0]);
  EXPECT_DOUBLE_EQ(acc.summary().mean.psnr_rgb, r.metrics.mean.psnr_rgb);
  EXPECT_GT(r.metrics.mean.psnr_rgb, 27.0);
  EXPECT_GT(r.metrics.mean.ssim, 0.85);  // the mean of R's, G's and B's SSIM

  // Written as PNG and read back: the same samples.
  std::string png = (dir / "k.png").string();
  VideoInfo vi = h.video_info();
  auto w = open_video_writer(png, vi, {});
  w->write(decoded[0]);
  w->close();
  auto back = read_as(png, PixFmt::RGBP);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].planes, decoded[0].planes);
}

// A grey image stays grey: one plane in the stream (pixel format 2), one plane out, a grey PNG.
TEST(Image, GreyImagesStayGrey) {
  auto dir = test::scratch();
  std::string stream = (dir / "g.nerv").string();
  EncodeReport r = encode_image(data("grey_32x32.png"), stream, "image", PixFmt::GRAY);
  StreamHeader h;
  std::vector<Frame> decoded = decode_all(stream, &h);
  EXPECT_EQ(h.pix_fmt, PixFmt::GRAY);
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].fmt, PixFmt::GRAY);
  EXPECT_TRUE(decoded[0].planes[1].empty());
  auto source = read_as(data("grey_32x32.png"), PixFmt::GRAY);
  MetricsAccumulator acc;
  acc.add(source[0], decoded[0]);
  EXPECT_DOUBLE_EQ(acc.summary().mean.psnr_y, r.metrics.mean.psnr_y);
  EXPECT_DOUBLE_EQ(r.metrics.mean.psnr_rgb, r.metrics.mean.psnr_y);  // R = G = B
  EXPECT_GT(r.metrics.mean.psnr_y, 27.0);
  // A grey image read as RGB has R = G = B = its samples (full range, not expanded).
  auto as_rgb = read_as(data("grey_32x32.png"), PixFmt::RGBP);
  EXPECT_EQ(as_rgb[0].planes[0], source[0].planes[0]);
  EXPECT_EQ(as_rgb[0].planes[2], source[0].planes[0]);

  std::string png = (dir / "g.png").string();
  auto w = open_video_writer(png, h.video_info(), {});
  w->write(decoded[0]);
  w->close();
  auto reader = open_video_reader(png, {});
  EXPECT_TRUE(reader->info().src_grey) << reader->info().src_pix_fmt;
  reader->set_out_fmt(PixFmt::GRAY);
  Frame back;
  ASSERT_TRUE(reader->read(back));
  EXPECT_EQ(back.planes[0], decoded[0].planes[0]);
}

TEST(Image, HnervCodesYuv420Only) {
  auto dir = test::scratch();
  auto reader = open_rgb(data("kodim23_64x64.png"));
  EncodeOptions opt;
  opt.cfg = load_config_file(data("tiny_config.json"));
  try {
    encode_video(*reader, (dir / "x.nerv").string(), opt, nullptr);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("yuv420p video only"), std::string::npos) << e.what();
  }
}

// §2: pixel formats 1 and 2 round trip; 3 and above are refused by name.
TEST(Image, PixelFormatInTheStreamHeader) {
  auto dir = test::scratch();
  std::string p = (dir / "h.nerv").string();
  StreamHeader h;
  h.width = 8;
  h.height = 8;
  h.segment_frames = 1;
  h.intra_period = 1;
  h.pix_fmt = PixFmt::RGBP;
  h.config = {{"model", {{"arch", "grid"}}}};
  std::vector<uint8_t> b = write_stream_header(h);
  EXPECT_EQ(b[34], 1);
  EXPECT_EQ(b[5], kVersionMinor);
  auto spit = [&](const std::vector<uint8_t>& v) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size()));
  };
  spit(b);
  EXPECT_EQ(BitstreamReader(p).header().pix_fmt, PixFmt::RGBP);
  h.pix_fmt = PixFmt::YUV420P;
  spit(write_stream_header(h));
  EXPECT_EQ(BitstreamReader(p).header().pix_fmt, PixFmt::YUV420P);
  h.pix_fmt = PixFmt::GRAY;
  spit(write_stream_header(h));
  EXPECT_EQ(BitstreamReader(p).header().pix_fmt, PixFmt::GRAY);
  // Pixel format 3 with a correct CRC: refused as unsupported, not as damaged.
  b[34] = 3;
  std::vector<uint8_t> body(b.begin(), b.end() - 4);
  uint32_t crc = 0xffffffffu;  // CRC-32 (IEEE), bit by bit
  for (uint8_t byte : body) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc = ~crc;
  for (int i = 0; i < 4; ++i) body.push_back(uint8_t(crc >> (8 * i)));
  spit(body);
  try {
    BitstreamReader r(p);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported pixel format 3"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace nerv
