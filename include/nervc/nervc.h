/* libnervc: decode .nerv streams from C and C++ (C99). docs/api.md has the whole story and a
 * complete example.
 *
 * Conventions: every call returns a NervStatus; on failure nerv_last_error() gives one line
 * saying what went wrong (the texts of the nervc command line), for the calling thread. The
 * library never prints, exits or aborts on bad input. One handle is used by one thread at a
 * time; different handles may be used from different threads at once. */
#ifndef NERVC_NERVC_H
#define NERVC_NERVC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define NERV_API __attribute__((visibility("default")))
#else
#define NERV_API
#endif

#define NERV_API_VERSION 1 /* bumped when this header changes incompatibly */

typedef enum NervStatus {
  NERV_OK = 0,
  NERV_END = 1,          /* no more frames */
  NERV_ERROR = -1,       /* bad or damaged input, I/O error: see nerv_last_error() */
  NERV_INVALID_ARG = -2, /* a null handle or pointer, an out-of-range value */
  NERV_CANCELLED = -3,   /* the progress callback asked to stop */
} NervStatus;

typedef enum NervPixelFormat {
  NERV_PIX_YUV420P = 0, /* Y at full size, U and V at half width and height (rounded up) */
  NERV_PIX_RGB = 1,     /* three full-size planes R, G, B */
  NERV_PIX_GRAY = 2,    /* one full-size plane */
} NervPixelFormat;

typedef struct NervStreamInfo {
  int width, height;
  int fps_num, fps_den;
  uint64_t frames; /* 0: unknown (a stream written to a pipe) */
  NervPixelFormat pixel_format;
  int bt709;      /* YUV matrix: 1 BT.709, 0 BT.601 */
  int full_range; /* YUV range: 1 full, 0 limited; RGB and grey are always full */
  uint32_t segment_frames;
  int seekable; /* a file or memory: nerv_decoder_seek() works */
} NervStreamInfo;

/* A decoded frame, borrowed from the decoder until its next call. */
typedef struct NervFrame {
  NervPixelFormat pixel_format;
  int width, height;
  int planes; /* 3, or 1 for grey */
  const uint8_t* data[3];
  int stride[3]; /* bytes per row */
  int plane_width[3], plane_height[3];
  uint64_t index; /* frame number in the stream */
} NervFrame;

typedef struct NervDecoderSettings {
  const char* device; /* "auto" (a GPU when there is one), "cpu", "cuda", "cuda:N" */
  int threads; /* compute threads, process-wide (libtorch's pool); 0 leaves them as they are */
  int rgb;     /* 1: every frame as planar RGB (R, G, B; YUV through the stream's matrix and
                  range), whatever the stream's pixel format */
} NervDecoderSettings;

typedef struct NervDecoder NervDecoder;

/* The library's version, e.g. "0.1.0". */
NERV_API const char* nerv_version(void);
/* The last error of the calling thread ("" if none). */
NERV_API const char* nerv_last_error(void);

NERV_API void nerv_default_decoder_settings(NervDecoderSettings* s);

/* Open a stream: a path (or "-" for stdin, or a URL FFmpeg reads), bytes in memory (copied),
 * or a read callback (read up to n bytes into buf, return how many, 0 at the end, more than n
 * for a read error; the stream is then read as it arrives, like a pipe). Callbacks run on a
 * reader thread of the decoder, not the caller's, and may block; nerv_decoder_seek and
 * nerv_decoder_close wait for a read in progress to return. The stream header is read here.
 * settings may be NULL (the defaults). */
NERV_API NervStatus nerv_decoder_open_file(NervDecoder** out, const char* path,
                                           const NervDecoderSettings* settings);
NERV_API NervStatus nerv_decoder_open_memory(NervDecoder** out, const void* data, size_t size,
                                             const NervDecoderSettings* settings);
NERV_API NervStatus nerv_decoder_open_callback(NervDecoder** out,
                                               size_t (*read)(void* opaque, void* buf, size_t n),
                                               void* opaque, const NervDecoderSettings* settings);

/* A source with random access (a GStreamer pad, an archive member, a network object with range
 * requests): read as for nerv_decoder_open_callback; seek moves to `offset` bytes from the start
 * and returns 0 on success; size is the stream's length in bytes. With seek and size the decoder
 * seeks (nerv_decoder_seek) as in a file; without them it reads like a pipe. */
typedef struct NervIO {
  size_t (*read)(void* opaque, void* buf, size_t n);
  int (*seek)(void* opaque, uint64_t offset); /* may be NULL */
  uint64_t size;                              /* 0: unknown */
  void* opaque;
} NervIO;
NERV_API NervStatus nerv_decoder_open_io(NervDecoder** out, const NervIO* io,
                                         const NervDecoderSettings* settings);

/* Makes a prior (a file from nervc train-prior) known to every decoder of this process, for
 * streams coded against it (the built-in priors are always known). */
NERV_API NervStatus nerv_load_prior(const char* path);

NERV_API NervStatus nerv_decoder_info(const NervDecoder* d, NervStreamInfo* info);
/* The stream info of a file without opening a decoder: only its header is read. */
NERV_API NervStatus nerv_probe_file(const char* path, NervStreamInfo* info);
/* The next frame in order: NERV_OK, NERV_END after the last one, or NERV_ERROR (a damaged or
 * truncated stream: every frame before the damage has been returned). */
NERV_API NervStatus nerv_decoder_next(NervDecoder* d, NervFrame* frame);
/* The same into the caller's planes: plane p gets plane_height[p] rows of plane_width[p] bytes
 * at data[p] + row * stride[p] (sizes as nerv_decoder_info implies: chroma of 4:2:0 at half
 * width and height rounded up; grey uses plane 0 only). `frame` then points at those planes. */
NERV_API NervStatus nerv_decoder_next_into(NervDecoder* d, uint8_t* const data[3],
                                           const int stride[3], NervFrame* frame);
/* Continue at `frame`: decoding restarts at the intra segment at or before it and skips ahead,
 * so that the next nerv_decoder_next() returns that frame. Files and memory only. */
NERV_API NervStatus nerv_decoder_seek(NervDecoder* d, uint64_t frame);
NERV_API void nerv_decoder_close(NervDecoder* d); /* NULL is fine */

/* Encoding. */
typedef struct NervEncodeProgress {
  uint32_t segment;  /* the segment being fitted, from 0 */
  int64_t segments;  /* segments expected, -1 when the input length is unknown */
  const char* phase; /* "fit", "qat", ... */
  int step, steps;   /* within the phase */
  double psnr;       /* of the training loss, dB */
} NervEncodeProgress;

typedef struct NervEncodeSettings {
  const char* preset;      /* NULL: "image" for a still image, else "grid" */
  const char* config_path; /* a JSON config file instead of a preset, or NULL */
  double lambda;           /* > 0: the rate-distortion trade-off (grid presets) */
  int epochs;              /* > 0: the preset's epochs */
  uint64_t seed;
  const char* device; /* as for decoding */
  int threads;
  /* Called as fitting goes on (from the calling thread); return non-zero to cancel. */
  int (*progress)(void* opaque, const NervEncodeProgress* p);
  void* opaque;
} NervEncodeSettings;

typedef struct NervEncodeResult {
  uint64_t frames, bytes;
  double bpp, seconds;
  double psnr_yuv, psnr_rgb; /* of the decoded stream against the source */
} NervEncodeResult;

NERV_API void nerv_default_encode_settings(NervEncodeSettings* s);
/* Encodes `input` (any video or still image FFmpeg reads; a still image in RGB or grey) to the
 * .nerv file `output`, written under a temporary name and renamed when complete: a failure or
 * a cancel leaves no output. settings and result may be NULL. */
NERV_API NervStatus nerv_encode_file(const char* input, const char* output,
                                     const NervEncodeSettings* settings, NervEncodeResult* result);

#ifdef __cplusplus
}
#endif

#endif /* NERVC_NERVC_H */
