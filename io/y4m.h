// Native Y4M input and output: the video I/O of builds without FFmpeg.
#pragma once
#include "io/video_reader.h"
#include "io/video_writer.h"

namespace nerv {

std::unique_ptr<VideoReader> open_y4m_reader(const std::string& url, const ReadOptions& opt);
std::unique_ptr<VideoWriter> open_y4m_writer(const std::string& url, const VideoInfo& info,
                                             const WriteOptions& opt);

}  // namespace nerv
