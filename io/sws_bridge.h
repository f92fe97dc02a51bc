// Internal: the one swscale call the reader and the Converter share.
#pragma once
extern "C" {
#include <libavutil/pixfmt.h>
}
#include <cstdint>

#include "io/frame.h"

struct SwsContext;

namespace nerv {

// Converts src (any FFmpeg format, w x h) into dst, whose size, fmt, matrix and range must be
// set already. `src_full` tells the range of YUV input; RGB input/output is full range.
void sws_into_frame(SwsContext** ctx, const uint8_t* const src[4], const int src_stride[4],
                    AVPixelFormat src_fmt, bool src_full, Frame& dst);

}  // namespace nerv
