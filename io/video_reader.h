// Reading video: any file, pipe ("-") or URL FFmpeg opens, decoded to nervc frames.
#pragma once
#include <memory>
#include <string>

#include "io/frame.h"

namespace nerv {

struct ReadOptions {
  std::string format;  // demuxer to force ("-f"); empty: probe
  int width = 0;       // raw input only (.yuv / -f rawvideo): --size WxH
  int height = 0;
  std::string pix_fmt;      // raw input only: FFmpeg pixel format name, default yuv420p
  Rational fps{25, 1};      // raw input only
  int64_t start_frame = 0;  // frames before this index are decoded and dropped
  int64_t max_frames = -1;  // -1: to the end
  PixFmt out_fmt = PixFmt::YUV420P;
};

class VideoReader {
 public:
  virtual ~VideoReader() = default;
  virtual const VideoInfo& info() const = 0;
  // Fills `out` with the next frame (reusing its buffers); false at the end of the input.
  virtual bool read(Frame& out) = 0;
  // Changes ReadOptions::out_fmt before the first read (a still image is read as RGB, which is
  // known only once the input is open). Throws nerv::Error where the reader cannot convert.
  virtual void set_out_fmt(PixFmt f) = 0;
};

// Opens the first video stream of `url`; throws nerv::Error with a one-line reason.
std::unique_ptr<VideoReader> open_video_reader(const std::string& url, const ReadOptions& opt);

// Whether the input is one still image (PNG, JPEG, BMP, TIFF, WebP, PPM/PGM, ...): opened by
// an image demuxer (image2 or an image pipe) and one frame long.
bool is_still_image(const VideoInfo& info);
// The frames a still image is coded from: its own samples in full chroma, RGB, or grey for one
// plane of grey.
PixFmt still_image_format(const VideoInfo& info);
// How many frames reading `info` with `ro` will give, as far as the container says (from its
// frame count or its duration); -1 when it does not say.
int64_t expected_frames(const VideoInfo& info, const ReadOptions& ro);

// FFmpeg's own log lines are silenced (nervc reports one line per error); verbose shows them.
void set_ffmpeg_logging(bool verbose);

// Parses "WxH" (e.g. "352x288"); throws on anything else or on absurd sizes.
void parse_size(const std::string& s, int& w, int& h);
// Parses "30", "29.97" or "30000/1001".
Rational parse_rational(const std::string& s);

}  // namespace nerv
