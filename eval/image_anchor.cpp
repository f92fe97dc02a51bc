#include "eval/image_anchor.h"

#include <chrono>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "io/elementary.h"

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

namespace nerv {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---- JPEG through libjpeg-turbo ----
// libjpeg reports errors through longjmp; the functions that may jump own no C++ objects.

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr c) {
  JpegError* e = reinterpret_cast<JpegError*>(c->err);
  (*c->err->format_message)(c, e->message);
  std::longjmp(e->jump, 1);
}

// Interleaved RGB rows -> a JPEG file in memory (malloc'd *out, *size); false with e->message.
bool jpeg_compress_rgb(const uint8_t* rgb, int w, int h, int quality, bool subsample,
                       unsigned char** out, unsigned long* size, JpegError* e) {
  jpeg_compress_struct c;
  c.err = jpeg_std_error(&e->mgr);
  e->mgr.error_exit = jpeg_fail;
  if (setjmp(e->jump)) {
    jpeg_destroy_compress(&c);
    return false;
  }
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, out, size);
  c.image_width = JDIMENSION(w);
  c.image_height = JDIMENSION(h);
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  c.optimize_coding = TRUE;  // Huffman tables made for the image, as cjpeg -optimize
  c.dct_method = JDCT_ISLOW;
  c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = subsample ? 2 : 1;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(rgb + size_t(c.next_scanline) * size_t(w) * 3);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  return true;
}

// A JPEG file -> interleaved RGB rows of w x h (the caller's buffer); false with e->message.
bool jpeg_decompress_rgb(const uint8_t* data, size_t n, uint8_t* rgb, int w, int h, JpegError* e) {
  jpeg_decompress_struct d;
  d.err = jpeg_std_error(&e->mgr);
  e->mgr.error_exit = jpeg_fail;
  if (setjmp(e->jump)) {
    jpeg_destroy_decompress(&d);
    return false;
  }
  jpeg_create_decompress(&d);
  jpeg_mem_src(&d, data, static_cast<unsigned long>(n));
  jpeg_read_header(&d, TRUE);
  d.out_color_space = JCS_RGB;
  d.dct_method = JDCT_ISLOW;
  jpeg_start_decompress(&d);
  if (int(d.output_width) != w || int(d.output_height) != h || d.output_components != 3) {
    std::snprintf(e->message, sizeof e->message, "decoded size differs");
    jpeg_destroy_decompress(&d);
    return false;
  }
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = rgb + size_t(d.output_scanline) * size_t(w) * 3;
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  jpeg_destroy_decompress(&d);
  return true;
}

ImageAnchorResult run_jpeg(const Frame& src, int quality, bool subsample) {
  int w = src.width, h = src.height;
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  for (size_t i = 0; i < size_t(w) * h; ++i)
    for (int p = 0; p < 3; ++p) rgb[3 * i + size_t(p)] = src.planes[size_t(p)][i];
  JpegError e{};
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  auto t0 = Clock::now();
  bool ok = jpeg_compress_rgb(rgb.data(), w, h, quality, subsample, &buf, &size, &e);
  ImageAnchorResult r;
  r.encode_s = since(t0);
  if (ok) r.bytes.assign(buf, buf + size);
  std::free(buf);
  if (!ok) throw Error(std::string("libjpeg: ") + e.message);
  r.extension = "jpg";
  t0 = Clock::now();
  if (!jpeg_decompress_rgb(r.bytes.data(), r.bytes.size(), rgb.data(), w, h, &e))
    throw Error(std::string("libjpeg: ") + e.message);
  r.decode_s = since(t0);
  r.decoded.resize(w, h, PixFmt::RGBP);
  for (size_t i = 0; i < size_t(w) * h; ++i)
    for (int p = 0; p < 3; ++p) r.decoded.planes[size_t(p)][i] = rgb[3 * i + size_t(p)];
  return r;
}

// ---- the others through libavcodec ----

struct AvSettings {
  const char* encoder;
  const char* pix_fmt;
  const char* extension;
};

AvSettings av_settings(const std::string& name) {
  if (name == "webp") return {"libwebp", "bgra", "webp"};
  if (name == "av1-444") return {"libaom-av1", "yuv444p", "obu"};
  if (name == "jxl") return {"libjxl", "rgb24", "jxl"};
  return {"libx265", "yuv444p", "hevc"};  // hevc-444-medium, hevc-444-slower
}

std::vector<std::pair<std::string, std::string>> av_options(const std::string& name,
                                                            const std::string& q) {
  if (name == "webp") return {{"quality", q}, {"compression_level", "6"}};
  if (name == "av1-444")
    return {{"usage", "allintra"}, {"still-picture", "1"}, {"crf", q}, {"b", "0"},
            {"cpu-used", "4"},     {"aq-mode", "0"}};
  if (name == "jxl") return {{"distance", q}, {"effort", "7"}};
  std::string preset = name == "hevc-444-slower" ? "slower" : "medium";
  return {{"preset", preset},
          {"tune", "psnr"},
          {"profile", "main444-8"},
          {"x265-params", "qp=" + q + ":keyint=1:min-keyint=1:info=0:log-level=error"}};
}

bool is_jpeg(const std::string& name) {
  return name == "jpeg-420" || name == "jpeg-444";
}

}  // namespace

const std::vector<ImageAnchor>& image_anchors() {
  static const std::vector<ImageAnchor> list = {
      {"jpeg-420", "libjpeg-turbo", "q", {"95", "85", "70", "50", "30", "20", "10"}},
      {"jpeg-444", "libjpeg-turbo", "q", {"95", "85", "70", "50", "30", "20", "10"}},
      {"webp", "libwebp", "q", {"95", "85", "75", "60", "40", "20", "5"}},
      {"hevc-444-medium", "libx265", "qp", {"22", "27", "32", "37", "42", "47"}},
      {"hevc-444-slower", "libx265", "qp", {"22", "27", "32", "37", "42", "47"}},
      {"av1-444", "libaom", "crf", {"15", "22", "29", "36", "43", "50", "57"}},
      {"jxl", "libjxl", "d", {"0.5", "1", "1.5", "2.5", "4", "6", "9"}},
  };
  return list;
}

const ImageAnchor& find_image_anchor(const std::string& name) {
  std::string known;
  for (const ImageAnchor& a : image_anchors()) {
    if (a.name == name) return a;
    known += (known.empty() ? "" : ", ") + a.name;
  }
  throw Error("unknown image anchor '" + name + "' (known: " + known + ")");
}

std::vector<std::pair<std::string, std::string>> image_anchor_versions() {
  int v = LIBJPEG_TURBO_VERSION_NUMBER;  // e.g. 2001005; the others come with FFmpeg's build
  return {{"libjpeg-turbo", std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) +
                                "." + std::to_string(v % 1000)}};
}

std::string ImageAnchor::describe() const {
  if (is_jpeg(name))
    return "libjpeg-turbo jpeg_set_quality(<Q>), optimize_coding, JDCT_ISLOW, RGB in, " +
           std::string(name == "jpeg-420" ? "4:2:0 (h2v2)" : "4:4:4 (h1v1)") +
           " YCbCr by libjpeg; decoded to RGB by libjpeg (ISLOW, fancy upsampling)";
  AvSettings s = av_settings(name);
  std::string out = std::string(s.encoder) + " pix_fmt=" + s.pix_fmt;
  for (const auto& [k, v] : av_options(name, "<Q>")) out += " " + k + "=" + v;
  if (std::string(s.pix_fmt).rfind("yuv", 0) == 0) out += "; YCbCr from RGB: BT.601 full range";
  return out;
}

ImageAnchorResult run_image_anchor(const ImageAnchor& a, const std::string& q, const Frame& rgb) {
  if (rgb.fmt != PixFmt::RGBP) throw Error("image anchors code planar RGB frames");
  if (is_jpeg(a.name)) return run_jpeg(rgb, std::stoi(q), a.name == "jpeg-420");
  AvSettings s = av_settings(a.name);
  ElementaryOptions eo;
  eo.encoder = s.encoder;
  eo.pix_fmt = s.pix_fmt;
  eo.options = av_options(a.name, q);
  eo.fps = {1, 1};
  auto t0 = Clock::now();
  ElementaryStream es = encode_elementary({rgb}, eo);
  ImageAnchorResult r;
  r.encode_s = since(t0);
  r.bytes = es.extradata;
  r.bytes.insert(r.bytes.end(), es.bytes.begin(), es.bytes.end());
  r.extension = s.extension;
  int frames = 0;
  t0 = Clock::now();
  decode_elementary(
      es,
      [&](const Frame& f) {
        if (frames++ == 0) r.decoded = f;
      },
      PixFmt::RGBP);
  r.decode_s = since(t0);
  if (frames != 1)
    throw Error(a.name + ": decoded " + std::to_string(frames) + " images, expected one");
  return r;
}

}  // namespace nerv
