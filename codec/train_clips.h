// Training data of train-prior and train-hyper: the first frames of each clip, in memory, and
// tasks drawn from them: a random square crop of a segment's worth of consecutive frames, from
// (seed, step) alone, so that a resumed run draws what an uninterrupted one would have.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/frame.h"

namespace nerv {

struct TrainClip {
  std::string path;
  std::vector<Frame> frames;
};

// Reads up to `clip_frames` frames of each clip. Throws nerv::Error (`who` first) for none, an
// unreadable clip, or one with fewer than `frames` frames or smaller than crop x crop.
std::vector<TrainClip> read_train_clips(const std::vector<std::string>& paths, int clip_frames,
                                        int frames, int crop, const std::string& who);

// Fills `out` (its size: the task's frame count) with the task of `step`; returns its clip.
const TrainClip& draw_task(const std::vector<TrainClip>& clips, uint64_t seed, int step, int crop,
                           std::vector<Frame>& out);

}  // namespace nerv
