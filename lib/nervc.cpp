// The C API of include/nervc/nervc.h over the decode pipeline and the encoder the command line
// uses: one codec, whichever way it is reached. Every entry point catches everything; the message
// goes to the calling thread's last error.
#include "nervc/nervc.h"

#include <sys/types.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "codec/bitstream.h"
#include "codec/config.h"
#if NERV_HAVE_FFMPEG
#include "io/convert.h"
#endif
#include "codec/decode_pipeline.h"
#include "codec/encoder.h"
#include "codec/family.h"
#include "codec/prior_registry.h"
#include "io/video_reader.h"
#include "models/runtime.h"

struct NervDecoder {
  std::vector<uint8_t> memory;  // the bytes of nerv_decoder_open_memory (outlives the pipeline)
  std::unique_ptr<nerv::DecodePipeline> pipe;
  nerv::DecodedFrame current;
  bool rgb = false;  // frames converted to planar RGB into `converted`
#if NERV_HAVE_FFMPEG
  nerv::Converter converter;
#endif
  nerv::Frame converted;
  uint64_t skip_to = 0;  // frames before this one are dropped (after a seek)
};

namespace {

thread_local std::string last_error;

struct Cancelled {};  // thrown out of the encoder when the progress callback says stop

template <typename F>
NervStatus guarded(F&& f) {
  try {
    last_error.clear();
    return f();
  } catch (const Cancelled&) {
    last_error = "cancelled";
    return NERV_CANCELLED;
  } catch (const std::exception& e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown error";
  }
  return NERV_ERROR;
}

NervStatus invalid(const char* what) {
  last_error = what;
  return NERV_INVALID_ARG;
}

torch::Device compute(const char* device, int threads) {
  if (threads < 0) throw nerv::Error("threads must be 0 or more");
  if (threads > 0) nerv::set_compute_threads(threads);
  return nerv::parse_device(device ? device : "auto");
}

nerv::DecodeOptions options(const NervDecoderSettings* s) {
  NervDecoderSettings d;
  nerv_default_decoder_settings(&d);
  if (!s) s = &d;
  nerv::DecodeOptions o;
  o.device = compute(s->device, s->threads);
  o.dtype = nerv::parse_precision("auto", o.device);
  return o;
}

// A read callback (and, for random access, a seek callback and a size) as a stdio stream
// (glibc's fopencookie), so the bitstream reader reads it as it reads a pipe or a file.
struct Callback {
  NervIO io;
  uint64_t pos = 0;  // where reads continue, for fseek's relative forms
};

FILE* open_callback(const NervIO& io) {
  auto* c = new Callback{io};
  cookie_io_functions_t fns{};
  fns.read = [](void* k, char* buf, size_t n) -> ssize_t {
    auto* cb = static_cast<Callback*>(k);
    size_t got = cb->io.read(cb->io.opaque, buf, n);
    if (got > n) return -1;
    cb->pos += got;
    return ssize_t(got);
  };
  if (io.seek && io.size)
    fns.seek = [](void* k, off64_t* off, int whence) {
      auto* cb = static_cast<Callback*>(k);
      const int64_t base = whence == SEEK_SET   ? 0
                           : whence == SEEK_CUR ? int64_t(cb->pos)
                                                : int64_t(cb->io.size);
      const int64_t to = base + *off;
      if (to < 0 || uint64_t(to) > cb->io.size || cb->io.seek(cb->io.opaque, uint64_t(to)))
        return -1;
      cb->pos = uint64_t(to);
      *off = to;
      return 0;
    };
  fns.close = [](void* k) {
    delete static_cast<Callback*>(k);
    return 0;
  };
  FILE* f = fopencookie(c, "rb", fns);
  if (!f) {
    delete c;
    throw nerv::Error("cannot set up the read callback");
  }
  return f;
}

NervPixelFormat api_format(nerv::PixFmt f) {
  return f == nerv::PixFmt::RGBP   ? NERV_PIX_RGB
         : f == nerv::PixFmt::GRAY ? NERV_PIX_GRAY
                                   : NERV_PIX_YUV420P;
}

void fill_info(const nerv::StreamHeader& h, bool seekable, NervStreamInfo* info) {
  std::memset(info, 0, sizeof *info);
  info->width = h.width;
  info->height = h.height;
  info->fps_num = h.fps.num;
  info->fps_den = h.fps.den;
  info->frames = h.frame_count;
  info->pixel_format = api_format(h.pix_fmt);
  info->bt709 = h.matrix == nerv::ColorMatrix::BT709;
  info->full_range = h.range == nerv::ColorRange::Full;
  info->segment_frames = h.segment_frames;
  info->seekable = seekable;
}

NervStatus open_with(NervDecoder** out, const NervDecoderSettings* s,
                     const std::function<void(NervDecoder&)>& open) {
  if (!out) return invalid("null output handle");
  *out = nullptr;
  return guarded([&] {
    auto d = std::make_unique<NervDecoder>();
    d->rgb = s && s->rgb;
#if !NERV_HAVE_FFMPEG
    if (d->rgb) throw nerv::Error("RGB output needs a build with FFmpeg");
#endif
    open(*d);
    *out = d.release();
    return NERV_OK;
  });
}

}  // namespace

extern "C" {

const char* nerv_version(void) {
  return NERVC_VERSION;
}

const char* nerv_last_error(void) {
  return last_error.c_str();
}

void nerv_default_decoder_settings(NervDecoderSettings* s) {
  if (!s) return;
  s->device = "auto";
  s->threads = 0;
  s->rgb = 0;
}

NervStatus nerv_decoder_open_file(NervDecoder** out, const char* path,
                                  const NervDecoderSettings* settings) {
  if (!path) return invalid("null path");
  return open_with(out, settings, [&](NervDecoder& d) {
    d.pipe = std::make_unique<nerv::DecodePipeline>(path, options(settings));
  });
}

NervStatus nerv_decoder_open_memory(NervDecoder** out, const void* data, size_t size,
                                    const NervDecoderSettings* settings) {
  if (!data && size) return invalid("null data");
  return open_with(out, settings, [&](NervDecoder& d) {
    nerv::DecodeOptions o = options(settings);
    d.memory.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
    // fmemopen needs a buffer of at least one byte; an empty stream is read as truncated.
    if (d.memory.empty()) d.memory.push_back(0);
    FILE* f = fmemopen(d.memory.data(), d.memory.size(), "rb");
    if (!f) throw nerv::Error("cannot read from memory");
    d.pipe = std::make_unique<nerv::DecodePipeline>(f, uint64_t(size), "memory", o);
  });
}

NervStatus nerv_decoder_open_callback(NervDecoder** out,
                                      size_t (*read)(void* opaque, void* buf, size_t n),
                                      void* opaque, const NervDecoderSettings* settings) {
  NervIO io{read, nullptr, 0, opaque};
  return nerv_decoder_open_io(out, &io, settings);
}

NervStatus nerv_decoder_open_io(NervDecoder** out, const NervIO* io,
                                const NervDecoderSettings* settings) {
  if (!io || !io->read) return invalid("null read callback");
  return open_with(out, settings, [&](NervDecoder& d) {
    nerv::DecodeOptions o = options(settings);
    const uint64_t size = io->seek ? io->size : 0;  // no seek: read as a pipe
    d.pipe = std::make_unique<nerv::DecodePipeline>(open_callback(*io), size, "callback", o);
  });
}

NervStatus nerv_load_prior(const char* path) {
  if (!path) return invalid("null path");
  return guarded([&] {
    nerv::add_known_prior_file(path);
    return NERV_OK;
  });
}

NervStatus nerv_decoder_info(const NervDecoder* d, NervStreamInfo* info) {
  if (!d || !info) return invalid("null decoder or info");
  fill_info(d->pipe->header(), d->pipe->seekable(), info);
  return NERV_OK;
}

NervStatus nerv_probe_file(const char* path, NervStreamInfo* info) {
  if (!path || !info) return invalid("null path or info");
  return guarded([&] {
    nerv::BitstreamReader r(path);  // the stream header only: nothing is decoded
    fill_info(r.header(), r.seekable(), info);
    return NERV_OK;
  });
}

NervStatus nerv_decoder_next(NervDecoder* d, NervFrame* frame) {
  if (!d || !frame) return invalid("null decoder or frame");
  return guarded([&] {
    do {
      if (!d->pipe->next(d->current)) return NERV_END;
    } while (uint64_t(d->current.frame.index) < d->skip_to);
    const nerv::Frame* fp = &d->current.frame;
#if NERV_HAVE_FFMPEG
    if (d->rgb && fp->fmt != nerv::PixFmt::RGBP) {
      d->converter.convert(*fp, nerv::PixFmt::RGBP, d->converted);
      fp = &d->converted;
    }
#endif
    const nerv::Frame& f = *fp;
    std::memset(frame, 0, sizeof *frame);
    frame->pixel_format = api_format(f.fmt);
    frame->width = f.width;
    frame->height = f.height;
    frame->planes = f.plane_count();
    for (int p = 0; p < f.plane_count(); ++p) {
      frame->data[p] = f.planes[size_t(p)].data();
      frame->stride[p] = frame->plane_width[p] = f.plane_width(p);
      frame->plane_height[p] = f.plane_height(p);
    }
    frame->index = uint64_t(f.index);
    return NERV_OK;
  });
}

NervStatus nerv_decoder_next_into(NervDecoder* d, uint8_t* const data[3], const int stride[3],
                                  NervFrame* frame) {
  if (!data || !stride) return invalid("null planes or strides");
  NervStatus s = nerv_decoder_next(d, frame);
  if (s != NERV_OK) return s;
  for (int p = 0; p < frame->planes; ++p) {
    if (!data[p] || stride[p] < frame->plane_width[p]) return invalid("plane too small or null");
    for (int y = 0; y < frame->plane_height[p]; ++y)
      std::memcpy(data[p] + size_t(y) * size_t(stride[p]),
                  frame->data[p] + size_t(y) * size_t(frame->stride[p]),
                  size_t(frame->plane_width[p]));
    frame->data[p] = data[p];
    frame->stride[p] = stride[p];
  }
  return NERV_OK;
}

NervStatus nerv_decoder_seek(NervDecoder* d, uint64_t frame) {
  if (!d) return invalid("null decoder");
  return guarded([&] {
    const nerv::StreamHeader& h = d->pipe->header();
    if (h.frame_count && frame >= h.frame_count)
      throw nerv::Error("frame " + std::to_string(frame) + " is past the end (" +
                        std::to_string(h.frame_count) + " frames)");
    if (!d->pipe->seekable()) throw nerv::Error("cannot seek in a pipe");
    const nerv::IndexEntry* at = nullptr;
    for (const nerv::IndexEntry& e : d->pipe->intra_segments())
      if (e.first_frame <= frame) at = &e;
    if (!at) throw nerv::Error("no intra segment at or before frame " + std::to_string(frame));
    d->pipe->seek(*at);
    d->skip_to = frame;
    return NERV_OK;
  });
}

void nerv_decoder_close(NervDecoder* d) {
  delete d;
}

void nerv_default_encode_settings(NervEncodeSettings* s) {
  if (!s) return;
  std::memset(s, 0, sizeof *s);
  s->device = "auto";
}

NervStatus nerv_encode_file(const char* input, const char* output,
                            const NervEncodeSettings* settings, NervEncodeResult* result) {
  if (!input || !output) return invalid("null input or output");
  return guarded([&] {
    NervEncodeSettings d;
    nerv_default_encode_settings(&d);
    const NervEncodeSettings& s = settings ? *settings : d;
    if (s.preset && s.config_path) throw nerv::Error("a preset and a config are exclusive");
    nerv::set_ffmpeg_logging(false);  // the library does not print: errors come back as text
    auto reader = nerv::open_video_reader(input, {});
    const nerv::VideoInfo& info = reader->info();
    const bool image = nerv::is_still_image(info);
    if (image) reader->set_out_fmt(nerv::still_image_format(info));
    nerv::EncodeOptions opt;
    opt.cfg = s.config_path ? nerv::load_config_file(s.config_path)
                            : nerv::load_preset(s.preset ? s.preset
                                                : image  ? "image"
                                                         : "grid");
    if (s.lambda > 0) nerv::set_lambda(opt.cfg, s.lambda);
    if (s.epochs > 0) nerv::override_epochs(opt.cfg.train, s.epochs);
    opt.seed = s.seed;
    opt.device = compute(s.device, s.threads);
    opt.resumable = false;  // a failure or a cancel leaves nothing behind
    opt.expected_frames = image ? 1 : nerv::expected_frames(info, {});  // as nervc encode
    nerv::EncodeReport r =
        nerv::encode_video(*reader, output, opt, [&](const nerv::EncodeEvent& e) {
          if (!s.progress || e.kind != nerv::EncodeEvent::Progress) return;
          NervEncodeProgress p{e.segment,   e.segments_expected, e.fit.phase,
                               e.fit.epoch, e.fit.epochs,        e.fit.psnr};
          if (s.progress(s.opaque, &p)) throw Cancelled{};
        });
    if (result) {
      result->frames = r.frames;
      result->bytes = r.bytes;
      result->bpp = r.bpp();
      result->seconds = r.seconds;
      result->psnr_yuv = r.metrics.mean.psnr_yuv;
      result->psnr_rgb = r.metrics.mean.psnr_rgb;
    }
    return NERV_OK;
  });
}

}  // extern "C"
