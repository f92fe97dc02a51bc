// A native YUV4MPEG2 writer (4:2:0), for builds without FFmpeg.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "io/error.h"
#include "io/temp_output.h"
#include "io/y4m.h"

namespace nerv {
namespace {

class Y4mWriter final : public VideoWriter {
 public:
  Y4mWriter(const std::string& url, const VideoInfo& info) : out_(url), info_(info) {
    f_ = url == "-" ? stdout : std::fopen(out_.write_path().c_str(), "wb");
    if (!f_) throw Error(url + ": cannot open for writing: " + std::strerror(errno));
    Rational fps = info.fps.valid() ? info.fps : Rational{25, 1};
    std::fprintf(f_, "YUV4MPEG2 W%d H%d F%d:%d Ip A1:1 C420jpeg XCOLORRANGE=%s\n", info.width,
                 info.height, fps.num, fps.den,
                 info.range == ColorRange::Full ? "FULL" : "LIMITED");
  }
  ~Y4mWriter() override {
    if (f_ && f_ != stdout) std::fclose(f_);
  }
  void write(const Frame& f) override {
    if (f.fmt != PixFmt::YUV420P || f.width != info_.width || f.height != info_.height)
      throw Error("writer expects " + std::to_string(info_.width) + "x" +
                  std::to_string(info_.height) + " yuv420p frames");
    bool ok = std::fputs("FRAME\n", f_) >= 0;
    for (int p = 0; p < 3 && ok; ++p)
      ok = std::fwrite(f.planes[p].data(), 1, f.planes[p].size(), f_) == f.planes[p].size();
    if (!ok) throw Error(out_.final_path() + ": write error: " + std::strerror(errno));
  }
  void close() override {
    if (f_ == stdout) {
      if (std::fflush(stdout) != 0) throw Error("stdout: write error");
      return;
    }
    int err = std::fclose(f_);
    f_ = nullptr;
    if (err != 0) throw Error(out_.final_path() + ": write error: " + std::strerror(errno));
    out_.commit();
  }
  std::string description() const override { return "yuv4mpegpipe / rawvideo (native)"; }

 private:
  TempOutput out_;
  VideoInfo info_;
  FILE* f_ = nullptr;
};

}  // namespace

std::unique_ptr<VideoWriter> open_y4m_writer(const std::string& url, const VideoInfo& info,
                                             const WriteOptions& opt) {
  bool y4m_format = opt.format.empty() || opt.format == "y4m" || opt.format == "yuv4mpegpipe";
  bool y4m_name = url == "-" || (url.size() > 4 && url.compare(url.size() - 4, 4, ".y4m") == 0);
  if (!y4m_format || (!y4m_name && opt.format.empty()) ||
      (!opt.codec.empty() && opt.codec != "rawvideo"))
    throw Error(url + ": this build writes only .y4m (build with FFmpeg for other containers)");
  return std::make_unique<Y4mWriter>(url, info);
}

}  // namespace nerv
