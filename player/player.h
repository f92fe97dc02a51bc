// `nervc play`: the decode pipeline's frames, paced against a monotonic clock, shown in a
// window and/or streamed through an FFmpeg muxer, with seeking by intra segment.
#pragma once
#include <functional>
#include <string>

#include "codec/decode_pipeline.h"
#include "io/video_writer.h"
#include "player/clock.h"

namespace nerv {

struct PlayOptions {
  DecodeOptions decode;
  std::string output;  // file, "-" or URL; empty: none
  WriteOptions write;
  bool display = true;    // open a window (needs a display and a build with OpenCV)
  bool realtime = false;  // pace an output at the frame rate (always paced without an output)
  bool loop = false;      // start again at the end (files only)
  std::string title = "nervc";
  Clock* clock = nullptr;  // nullptr: the steady clock
  // Called about once a second with a one-line status (decode fps, drops, bitrate).
  std::function<void(const std::string&)> on_status;
};

struct PlayStats {
  uint64_t frames = 0;   // taken from the decoder, in order
  uint64_t shown = 0;    // shown in time (window), or paced out (headless)
  uint64_t dropped = 0;  // late, not shown
  uint64_t written = 0;  // to the output
  uint32_t seeks = 0;
  double seconds = 0;        // from opening the stream to the end
  double first_frame_s = 0;  // from opening the stream to the first frame shown or written
  double decode_fps = 0;     // frames decoded per second of decode-stage time
  double kbps = 0;           // segment chunk bytes over the duration of the frames played
  bool quit = false;         // ended by the user
  bool seekable = false;     // the input was a file
  std::string error;         // why playback stopped early (truncated stream, ...); empty if not
};

PlayStats play(const std::string& input, const PlayOptions& opt);
std::string format_play_status(const PlayStats& s, double position_s);

}  // namespace nerv
