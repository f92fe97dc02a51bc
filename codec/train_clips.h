// Training data of train-prior and train-hyper: the first frames of each clip, in memory, and
// tasks drawn from them: a random square crop of a segment's worth of consecutive frames, from
// (seed, step) alone, so that a resumed run draws what an uninterrupted one would have.
// Augmented, a task is also mirrored left-right and played backwards, each at random: four
// tasks for one crop, none of which the codec treats differently from a real clip.
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
// Without `augment` the draws are those of files trained before augmentation existed.
const TrainClip& draw_task(const std::vector<TrainClip>& clips, uint64_t seed, int step, int crop,
                           bool augment, std::vector<Frame>& out);

}  // namespace nerv
