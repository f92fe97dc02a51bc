#include "io/elementary.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}
#include <cstring>
#include <memory>

#include "base/error.h"
#include "io/ffmpeg_util.h"
#include "io/sws_bridge.h"

namespace nerv {
namespace {

struct CodecCtxFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using CodecCtx = std::unique_ptr<AVCodecContext, CodecCtxFree>;
using AvFrame = std::unique_ptr<AVFrame, FrameFree>;
using Packet = std::unique_ptr<AVPacket, PacketFree>;
// A libswscale context, cached between frames and freed at the end.
struct SwsHolder {
  SwsContext* ctx = nullptr;
  ~SwsHolder() { sws_freeContext(ctx); }
};

bool is_rgb_format(AVPixelFormat f) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(f);
  return d && (d->flags & AV_PIX_FMT_FLAG_RGB);
}
bool is_jpeg_range(AVPixelFormat f) {
  return f == AV_PIX_FMT_YUVJ420P || f == AV_PIX_FMT_YUVJ422P || f == AV_PIX_FMT_YUVJ444P;
}

void take_packets(AVCodecContext* enc, AVPacket* pkt, ElementaryStream& out,
                  const std::string& name) {
  for (;;) {
    int err = avcodec_receive_packet(enc, pkt);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) throw Error(name + ": encode error: " + av_error_string(err));
    out.bytes.insert(out.bytes.end(), pkt->data, pkt->data + pkt->size);
    out.packet_sizes.push_back(size_t(pkt->size));
    av_packet_unref(pkt);
  }
}

struct DecodeTarget {
  PixFmt fmt;
  ColorMatrix matrix;
  ColorRange range;
  SwsHolder sws;  // when the decoder gives another layout
};

void emit_frames(AVCodecContext* dec, AVFrame* f, Frame& out, int64_t& index, DecodeTarget& t,
                 const std::function<void(const Frame&)>& on_frame) {
  for (;;) {
    int err = avcodec_receive_frame(dec, f);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) throw Error("decode error: " + av_error_string(err));
    AVPixelFormat src = AVPixelFormat(f->format);
    // The stream's own matrix and range where it states them.
    bool full = f->color_range == AVCOL_RANGE_JPEG || is_jpeg_range(src) ||
                (f->color_range == AVCOL_RANGE_UNSPECIFIED && t.range == ColorRange::Full);
    out.matrix = f->colorspace == AVCOL_SPC_BT709         ? ColorMatrix::BT709
                 : f->colorspace == AVCOL_SPC_UNSPECIFIED ? t.matrix
                                                          : ColorMatrix::BT601;
    out.range = t.fmt == PixFmt::RGBP || full ? ColorRange::Full : ColorRange::Limited;
    out.resize(f->width, f->height, t.fmt);
    out.index = index++;
    if (src == to_av(t.fmt)) {
      const uint8_t* dst[4];
      int stride[4];
      frame_planes(out, dst, stride);
      for (int p = 0; p < 3; ++p) {
        int h = p > 0 && t.fmt == PixFmt::YUV420P ? (f->height + 1) / 2 : f->height;
        av_image_copy_plane(const_cast<uint8_t*>(dst[p]), stride[p], f->data[p], f->linesize[p],
                            stride[p], h);
      }
    } else {
      sws_into_frame(&t.sws.ctx, f->data, f->linesize, src, full, out);
    }
    av_frame_unref(f);
    on_frame(out);
  }
}

}  // namespace

ElementaryStream encode_elementary(const std::vector<Frame>& frames, const ElementaryOptions& opt) {
  if (frames.empty()) throw Error(opt.encoder + ": no frames to encode");
  const AVCodec* codec = avcodec_find_encoder_by_name(opt.encoder.c_str());
  if (!codec) throw Error("encoder '" + opt.encoder + "' is not available in this FFmpeg");
  CodecCtx enc(avcodec_alloc_context3(codec));
  AvFrame frame(av_frame_alloc());
  Packet pkt(av_packet_alloc());
  if (!enc || !frame || !pkt) throw Error("out of memory");

  const Frame& first = frames.front();
  AVRational fps = opt.fps.valid() ? AVRational{opt.fps.num, opt.fps.den} : AVRational{25, 1};
  AVPixelFormat want = av_get_pix_fmt(opt.pix_fmt.c_str());
  if (want == AV_PIX_FMT_NONE) throw Error("unknown pixel format '" + opt.pix_fmt + "'");
  // YUV in the encoder: the frames' matrix and range, or for RGB frames the options'.
  bool rgb_in = first.fmt == PixFmt::RGBP;
  ColorMatrix matrix = rgb_in ? opt.matrix : first.matrix;
  bool yuv_full = is_jpeg_range(want) || (rgb_in ? opt.range : first.range) == ColorRange::Full;
  enc->width = first.width;
  enc->height = first.height;
  enc->pix_fmt = want;
  enc->time_base = av_inv_q(fps);
  enc->framerate = fps;
  enc->sample_aspect_ratio = {1, 1};
  enc->color_range = yuv_full || is_rgb_format(want) ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  enc->colorspace = is_rgb_format(want)            ? AVCOL_SPC_RGB
                    : matrix == ColorMatrix::BT709 ? AVCOL_SPC_BT709
                                                   : AVCOL_SPC_SMPTE170M;
  AVDictionary* dict = nullptr;
  for (const auto& [k, v] : opt.options) av_dict_set(&dict, k.c_str(), v.c_str(), 0);
  int err = avcodec_open2(enc.get(), codec, &dict);
  std::string unused;
  for (const AVDictionaryEntry* e = nullptr; (e = av_dict_get(dict, "", e, AV_DICT_IGNORE_SUFFIX));)
    unused += std::string(unused.empty() ? "" : ", ") + e->key;
  av_dict_free(&dict);
  if (err < 0) throw Error("cannot open encoder " + opt.encoder + ": " + av_error_string(err));
  if (!unused.empty()) throw Error(opt.encoder + ": unknown option(s): " + unused);

  frame->format = want;
  frame->width = first.width;
  frame->height = first.height;
  frame->color_range = enc->color_range;
  frame->colorspace = enc->colorspace;
  if (av_frame_get_buffer(frame.get(), 0) < 0) throw Error("out of memory");
  SwsHolder sws;  // when the frames are converted

  ElementaryStream out;
  out.codec = avcodec_get_name(codec->id);
  int64_t pts = 0;
  for (const Frame& f : frames) {
    if (f.fmt != first.fmt || f.width != first.width || f.height != first.height)
      throw Error(opt.encoder + ": frames must all be " + std::to_string(first.width) + "x" +
                  std::to_string(first.height) + " " + to_string(first.fmt));
    if (av_frame_make_writable(frame.get()) < 0) throw Error("out of memory");
    frame_into_av(&sws.ctx, f, frame.get(), matrix, yuv_full);
    frame->pts = pts++;
    err = avcodec_send_frame(enc.get(), frame.get());
    if (err < 0) throw Error(opt.encoder + ": encode error: " + av_error_string(err));
    take_packets(enc.get(), pkt.get(), out, opt.encoder);
  }
  err = avcodec_send_frame(enc.get(), nullptr);
  if (err < 0) throw Error(opt.encoder + ": encode error: " + av_error_string(err));
  take_packets(enc.get(), pkt.get(), out, opt.encoder);
  if (enc->extradata_size > 0)
    out.extradata.assign(enc->extradata, enc->extradata + enc->extradata_size);
  return out;
}

void decode_elementary(const ElementaryStream& s, const std::function<void(const Frame&)>& on_frame,
                       PixFmt out_fmt, ColorMatrix matrix, ColorRange range) {
  // FFmpeg's native AV1 decoder needs hardware; libdav1d is its software decoder. JPEG XL is
  // decoded by libjxl only.
  const char* name = s.codec == "av1"      ? "libdav1d"
                     : s.codec == "jpegxl" ? "libjxl"
                                           : s.codec.c_str();
  const AVCodec* codec = avcodec_find_decoder_by_name(name);
  if (!codec) throw Error("no decoder for '" + s.codec + "' in this FFmpeg");
  CodecCtx dec(avcodec_alloc_context3(codec));
  AvFrame f(av_frame_alloc());
  Packet pkt(av_packet_alloc());
  if (!dec || !f || !pkt) throw Error("out of memory");
  if (!s.extradata.empty()) {
    dec->extradata =
        static_cast<uint8_t*>(av_mallocz(s.extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (!dec->extradata) throw Error("out of memory");
    std::memcpy(dec->extradata, s.extradata.data(), s.extradata.size());
    dec->extradata_size = int(s.extradata.size());
  }
  int err = avcodec_open2(dec.get(), codec, nullptr);
  if (err < 0) throw Error("cannot open decoder " + s.codec + ": " + av_error_string(err));
  Frame out;
  int64_t index = 0;
  size_t offset = 0;
  DecodeTarget target{out_fmt, matrix, range};
  for (size_t n : s.packet_sizes) {
    if (av_new_packet(pkt.get(), int(n)) < 0) throw Error("out of memory");
    std::memcpy(pkt->data, s.bytes.data() + offset, n);
    offset += n;
    err = avcodec_send_packet(dec.get(), pkt.get());
    av_packet_unref(pkt.get());
    if (err < 0) throw Error(s.codec + ": decode error: " + av_error_string(err));
    emit_frames(dec.get(), f.get(), out, index, target, on_frame);
  }
  err = avcodec_send_packet(dec.get(), nullptr);
  if (err < 0 && err != AVERROR_EOF)
    throw Error(s.codec + ": decode error: " + av_error_string(err));
  emit_frames(dec.get(), f.get(), out, index, target, on_frame);
}

std::string ffmpeg_version() {
  return std::string("FFmpeg ") + av_version_info() + ", " + LIBAVCODEC_IDENT;
}

}  // namespace nerv
