// A native YUV4MPEG2 writer (4:2:0), for builds without FFmpeg.
#include <string>

#include "base/error.h"
#include "io/file_sink.h"
#include "io/y4m.h"

namespace nerv {
namespace {

class Y4mWriter final : public VideoWriter {
 public:
  Y4mWriter(const std::string& url, const VideoInfo& info) : out_(url), info_(info) {
    Rational fps = info.fps.valid() ? info.fps : Rational{25, 1};
    std::string header =
        "YUV4MPEG2 W" + std::to_string(info.width) + " H" + std::to_string(info.height) + " F" +
        std::to_string(fps.num) + ":" + std::to_string(fps.den) +
        " Ip A1:1 C420jpeg XCOLORRANGE=" + (info.range == ColorRange::Full ? "FULL" : "LIMITED") +
        "\n";
    out_.write(header.data(), header.size());
  }
  void write(const Frame& f) override {
    if (f.fmt != PixFmt::YUV420P || f.width != info_.width || f.height != info_.height)
      throw Error("writer expects " + std::to_string(info_.width) + "x" +
                  std::to_string(info_.height) + " yuv420p frames");
    out_.write("FRAME\n", 6);
    for (int p = 0; p < 3; ++p) out_.write(f.planes[p].data(), f.planes[p].size());
  }
  void close() override { out_.commit(); }
  std::string description() const override { return "yuv4mpegpipe / rawvideo (native)"; }

 private:
  FileSink out_;
  VideoInfo info_;
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
