// Internal: the one swscale call the reader and the Converter share.
#pragma once
extern "C" {
#include <libavutil/frame.h>
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

// A frame's planes in FFmpeg's order (its planar RGB is G, B, R) and their strides.
void frame_planes(const Frame& f, const uint8_t* p[4], int stride[4]);

// Writes `f` into `dst` (allocated, writable, same size, dst->format set): copied where the
// layouts agree, else converted by libswscale (context cached in *ctx), YUV <-> RGB with
// `matrix`; `yuv_full` is the range of the YUV side that `f` does not describe (RGB is full).
void frame_into_av(SwsContext** ctx, const Frame& f, AVFrame* dst, ColorMatrix matrix,
                   bool yuv_full);

}  // namespace nerv
