// A VideoReader over frames already in memory, so that one decoded source can be handed to
// several encodes (as `nervc compare` does) without reading the file again.
#pragma once
#include <vector>

#include "base/error.h"
#include "io/video_reader.h"

namespace nerv {

class MemoryReader : public VideoReader {
 public:
  MemoryReader(const std::vector<Frame>& frames, VideoInfo info) : frames_(frames), info_(info) {
    info_.frames = int64_t(frames.size());
    if (!frames.empty()) info_.fmt = frames[0].fmt;
  }
  const VideoInfo& info() const override { return info_; }
  bool read(Frame& out) override {
    if (next_ >= frames_.size()) return false;
    out = frames_[next_++];
    return true;
  }
  void set_out_fmt(PixFmt f) override {
    if (f != info_.fmt) throw Error("frames in memory are not converted");
  }

 private:
  const std::vector<Frame>& frames_;
  VideoInfo info_;
  size_t next_ = 0;
};

}  // namespace nerv
