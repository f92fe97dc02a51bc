// Chooses the video I/O backend: FFmpeg when built with it, else the native Y4M reader/writer.
#include <algorithm>
#include <cmath>

#include "io/y4m.h"

namespace nerv {

#if NERV_HAVE_FFMPEG
std::unique_ptr<VideoReader> open_ffmpeg_reader(const std::string& url, const ReadOptions& opt);
std::unique_ptr<VideoWriter> open_ffmpeg_writer(const std::string& url, const VideoInfo& info,
                                                const WriteOptions& opt);
#else
void set_ffmpeg_logging(bool) {}
#endif

bool is_still_image(const VideoInfo& info) {
  const std::string& c = info.container;
  bool image = c == "image2" || (c.size() > 5 && c.compare(c.size() - 5, 5, "_pipe") == 0);
  bool sequence = info.frames > 1 || (info.duration_s > 0 && info.fps.valid() &&
                                      info.duration_s * info.fps.value() > 1.5);
  return image && !sequence;
}

PixFmt still_image_format(const VideoInfo& info) {
  return info.src_grey ? PixFmt::GRAY : PixFmt::RGBP;
}

int64_t expected_frames(const VideoInfo& info, const ReadOptions& ro) {
  int64_t frames = info.frames;
  if (frames < 0 && info.duration_s > 0 && info.fps.valid())
    frames = int64_t(std::llround(info.duration_s * info.fps.value()));
  if (frames > 0) frames = std::max<int64_t>(0, frames - ro.start_frame);
  if (ro.max_frames > 0) frames = frames > 0 ? std::min(frames, ro.max_frames) : ro.max_frames;
  return frames;
}

std::unique_ptr<VideoReader> open_video_reader(const std::string& url, const ReadOptions& opt) {
#if NERV_HAVE_FFMPEG
  return open_ffmpeg_reader(url, opt);
#else
  return open_y4m_reader(url, opt);
#endif
}

std::unique_ptr<VideoWriter> open_video_writer(const std::string& url, const VideoInfo& info,
                                               const WriteOptions& opt) {
#if NERV_HAVE_FFMPEG
  return open_ffmpeg_writer(url, info, opt);
#else
  return open_y4m_writer(url, info, opt);
#endif
}

}  // namespace nerv
