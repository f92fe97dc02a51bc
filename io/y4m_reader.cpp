// A native YUV4MPEG2 reader, for builds without FFmpeg (the GPU machine has none). Accepts
// 8-bit 4:2:0 and 4:4:4; skips the interlace, aspect and X-parameters it does not need except
// XCOLORRANGE.
#include <cstdio>
#include <cstring>
#include <sstream>

#include "base/error.h"
#include "io/file_source.h"
#include "io/y4m.h"

namespace nerv {
namespace {

constexpr size_t kMaxLine = 4096;

class Y4mReader final : public VideoReader {
 public:
  Y4mReader(const std::string& url, const ReadOptions& opt) : opt_(opt), src_(url), f_(src_.get()) {
    info_.url = url;
    parse_header();
  }
  const VideoInfo& info() const override { return info_; }
  bool read(Frame& out) override;
  void set_out_fmt(PixFmt f) override {
    if (f != fmt_)
      throw Error(info_.url + ": converting " + info_.src_pix_fmt + " to " + to_string(f) +
                  " needs a build with FFmpeg");
  }

 private:
  bool read_line(std::string& line);
  void parse_header();

  ReadOptions opt_;
  VideoInfo info_;
  FileSource src_;
  FILE* f_;
  PixFmt fmt_ = PixFmt::YUV420P;
  int64_t next_ = 0, delivered_ = 0;
};

bool Y4mReader::read_line(std::string& line) {
  line.clear();
  for (int c; (c = std::fgetc(f_)) != EOF;) {
    if (c == '\n') return true;
    if (line.size() >= kMaxLine)
      throw Error(info_.url + ": not a YUV4MPEG2 stream (line too long)");
    line.push_back(char(c));
  }
  return !line.empty();
}

void Y4mReader::parse_header() {
  std::string line;
  if (!read_line(line) || line.rfind("YUV4MPEG2", 0) != 0)
    throw Error(info_.url + ": not a video this build can read (only .y4m without FFmpeg)");
  info_.container = "yuv4mpegpipe";
  info_.codec = "rawvideo";
  info_.src_pix_fmt = "yuv420p";
  info_.fps = {25, 1};
  std::istringstream tokens(line.substr(9));
  for (std::string t; tokens >> t;) {
    char key = t[0];
    std::string v = t.substr(1);
    if (key == 'W') info_.width = std::atoi(v.c_str());
    if (key == 'H') info_.height = std::atoi(v.c_str());
    if (key == 'F') {
      int n = 0, d = 0;
      if (std::sscanf(v.c_str(), "%d:%d", &n, &d) == 2 && n > 0 && d > 0) info_.fps = {n, d};
    }
    if (key == 'C') {
      if (v == "420" || v == "420jpeg" || v == "420mpeg2" || v == "420paldv") {
        fmt_ = PixFmt::YUV420P;
      } else if (v == "444") {
        fmt_ = PixFmt::YUV444P;
        info_.src_pix_fmt = "yuv444p";
      } else {
        throw Error(info_.url + ": unsupported Y4M colour space C" + v +
                    " (8-bit 420 or 444 without FFmpeg)");
      }
    }
    if (t == "XCOLORRANGE=FULL") info_.range = ColorRange::Full;
  }
  if (info_.width < 2 || info_.height < 2 || info_.width > 16384 || info_.height > 16384)
    throw Error(info_.url + ": unsupported frame size " + std::to_string(info_.width) + "x" +
                std::to_string(info_.height));
  info_.matrix = info_.height >= 720 ? ColorMatrix::BT709 : ColorMatrix::BT601;
  info_.matrix_guessed = true;
  info_.time_base = {info_.fps.den, info_.fps.num};
  set_out_fmt(opt_.out_fmt);
  info_.fmt = fmt_;
}

bool Y4mReader::read(Frame& out) {
  if (opt_.max_frames >= 0 && delivered_ >= opt_.max_frames) return false;
  std::string line;
  for (;;) {
    if (!read_line(line)) return false;
    if (line.rfind("FRAME", 0) != 0) throw Error(info_.url + ": corrupt Y4M frame header");
    out.matrix = info_.matrix;
    out.range = info_.range;
    out.resize(info_.width, info_.height, fmt_);
    for (int p = 0; p < 3; ++p)
      if (std::fread(out.planes[p].data(), 1, out.plane_size(p), f_) != out.plane_size(p))
        throw Error(info_.url + ": truncated Y4M frame " + std::to_string(next_));
    out.index = next_++;
    if (out.index >= opt_.start_frame) {
      ++delivered_;
      return true;
    }
  }
}

}  // namespace

std::unique_ptr<VideoReader> open_y4m_reader(const std::string& url, const ReadOptions& opt) {
  return std::make_unique<Y4mReader>(url, opt);
}

}  // namespace nerv
