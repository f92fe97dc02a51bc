// Writing video: frames into any container FFmpeg muxes, to a file, stdout ("-") or a URL.
#pragma once
#include <memory>
#include <string>

#include "io/frame.h"

namespace nerv {

struct WriteOptions {
  std::string format;  // muxer ("-f"); empty: from the file extension
  std::string codec;   // rawvideo, ffv1, libx264, libx265; empty: the container's default
  int crf = -1;        // libx264/libx265 constant quality; -1: codec default (x264 18, x265 22)
  int qp = -1;         // libx264/libx265 constant QP, overrides crf; 0 with x264 is lossless
  std::string preset;  // libx264/libx265 preset, default "medium"
  std::string x265_params;  // extra libx265 parameters ("key=value:key=value")
};

class VideoWriter {
 public:
  virtual ~VideoWriter() = default;  // without close(): the partial output is removed
  virtual void write(const Frame& f) = 0;
  // Flushes, writes the trailer and renames the temporary file to its final name.
  virtual void close() = 0;
  virtual std::string description() const = 0;  // e.g. "matroska / ffv1"
};

// `info` gives size, frame rate and colour metadata. Throws nerv::Error on failure.
std::unique_ptr<VideoWriter> open_video_writer(const std::string& url, const VideoInfo& info,
                                               const WriteOptions& opt);

}  // namespace nerv
