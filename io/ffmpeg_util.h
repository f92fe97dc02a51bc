// Small helpers shared by the FFmpeg-backed reader, writer and converter.
#pragma once
extern "C" {
#include <libavutil/error.h>
#include <libavutil/pixfmt.h>
}
#include <string>

#include "io/frame.h"

namespace nerv {

std::string av_error_string(int err);
AVPixelFormat to_av(PixFmt f);
// swscale's colourspace table index for a matrix (SWS_CS_*).
int sws_colorspace(ColorMatrix m);
// Maps "-" to FFmpeg's pipe protocol for reading (stdin) or writing (stdout).
std::string ffmpeg_url(const std::string& url, bool for_writing);

}  // namespace nerv
