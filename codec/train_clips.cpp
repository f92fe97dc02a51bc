#include "codec/train_clips.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "base/error.h"
#include "io/video_reader.h"

namespace nerv {
namespace {

// A crop of a 4:2:0 frame at even (x0, y0), mirrored left-right if `mirror`.
void crop_into(const Frame& src, int x0, int y0, int size, bool mirror, Frame& dst) {
  dst.resize(size, size, PixFmt::YUV420P);
  dst.matrix = src.matrix;
  dst.range = src.range;
  dst.index = src.index;
  for (int p = 0; p < 3; ++p) {
    int sx = p ? x0 / 2 : x0, sy = p ? y0 / 2 : y0;
    const size_t w = size_t(dst.plane_width(p));
    for (int y = 0; y < dst.plane_height(p); ++y) {
      auto* d = dst.planes[size_t(p)].data() + size_t(y) * w;
      const auto* s =
          src.planes[size_t(p)].data() + size_t(sy + y) * size_t(src.plane_width(p)) + size_t(sx);
      if (mirror)
        std::reverse_copy(s, s + w, d);
      else
        std::memcpy(d, s, w);
    }
  }
}

}  // namespace

std::vector<TrainClip> read_train_clips(const std::vector<std::string>& paths, int clip_frames,
                                        int frames, int crop, const std::string& who) {
  if (paths.empty()) throw Error(who + ": no training clips");
  if (crop < 16 || crop % 2) throw Error(who + ": --crop must be even and >= 16");
  std::vector<TrainClip> clips;
  for (const std::string& p : paths) {
    ReadOptions ro;
    ro.max_frames = clip_frames;
    auto reader = open_video_reader(p, ro);
    TrainClip c{p, {}};
    Frame f;
    while (reader->read(f)) c.frames.push_back(f);
    if (int(c.frames.size()) < frames || c.frames[0].width < crop || c.frames[0].height < crop)
      throw Error(p + ": too small for tasks of " + std::to_string(frames) + " frames of " +
                  std::to_string(crop) + "x" + std::to_string(crop));
    clips.push_back(std::move(c));
  }
  return clips;
}

const TrainClip& draw_task(const std::vector<TrainClip>& clips, uint64_t seed, int step, int crop,
                           bool augment, std::vector<Frame>& out) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + uint64_t(step));
  const TrainClip& c = clips[rng() % clips.size()];
  const Frame& f0 = c.frames[0];
  size_t t_first = rng() % (c.frames.size() - out.size() + 1);
  int x0 = 2 * int(rng() % uint64_t((f0.width - crop) / 2 + 1));
  int y0 = 2 * int(rng() % uint64_t((f0.height - crop) / 2 + 1));
  uint64_t flips = augment ? rng() : 0;
  bool mirror = flips & 1, backwards = flips & 2;
  for (size_t t = 0; t < out.size(); ++t)
    crop_into(c.frames[t_first + (backwards ? out.size() - 1 - t : t)], x0, y0, crop, mirror,
              out[t]);
  return c;
}

}  // namespace nerv
