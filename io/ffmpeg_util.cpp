#include "io/ffmpeg_util.h"

extern "C" {
#include <libavutil/log.h>
#include <libswscale/swscale.h>
}

#include "io/video_reader.h"

namespace nerv {

void set_ffmpeg_logging(bool verbose) {
  av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_QUIET);
}

std::string av_error_string(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

AVPixelFormat to_av(PixFmt f) {
  switch (f) {
    case PixFmt::YUV420P:
      return AV_PIX_FMT_YUV420P;
    case PixFmt::YUV444P:
      return AV_PIX_FMT_YUV444P;
    case PixFmt::RGBP:
      return AV_PIX_FMT_GBRP;
    case PixFmt::GRAY:
      return AV_PIX_FMT_GRAY8;
  }
  return AV_PIX_FMT_NONE;
}

int sws_colorspace(ColorMatrix m) {
  return m == ColorMatrix::BT709 ? SWS_CS_ITU709 : SWS_CS_ITU601;
}

std::string ffmpeg_url(const std::string& url, bool for_writing) {
  if (url == "-") return for_writing ? "pipe:1" : "pipe:0";
  return url;
}

}  // namespace nerv
