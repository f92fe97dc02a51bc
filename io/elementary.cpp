#include "io/elementary.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}
#include <cstring>
#include <memory>

#include "io/error.h"
#include "io/ffmpeg_util.h"

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

void emit_frames(AVCodecContext* dec, AVFrame* f, Frame& out, int64_t& index,
                 const std::function<void(const Frame&)>& on_frame) {
  for (;;) {
    int err = avcodec_receive_frame(dec, f);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) throw Error("decode error: " + av_error_string(err));
    if (f->format != AV_PIX_FMT_YUV420P)
      throw Error(std::string("decoder gave ") + av_get_pix_fmt_name(AVPixelFormat(f->format)) +
                  ", expected yuv420p");
    out.resize(f->width, f->height, PixFmt::YUV420P);
    out.index = index++;
    for (int p = 0; p < 3; ++p) {
      int w = out.plane_width(p), h = out.plane_height(p);
      for (int y = 0; y < h; ++y)
        std::memcpy(out.planes[p].data() + size_t(y) * w, f->data[p] + size_t(y) * f->linesize[p],
                    w);
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
  enc->width = first.width;
  enc->height = first.height;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = av_inv_q(fps);
  enc->framerate = fps;
  enc->sample_aspect_ratio = {1, 1};
  enc->color_range = first.range == ColorRange::Full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  enc->colorspace = first.matrix == ColorMatrix::BT709 ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
  AVDictionary* dict = nullptr;
  for (const auto& [k, v] : opt.options) av_dict_set(&dict, k.c_str(), v.c_str(), 0);
  int err = avcodec_open2(enc.get(), codec, &dict);
  std::string unused;
  for (const AVDictionaryEntry* e = nullptr; (e = av_dict_get(dict, "", e, AV_DICT_IGNORE_SUFFIX));)
    unused += std::string(unused.empty() ? "" : ", ") + e->key;
  av_dict_free(&dict);
  if (err < 0) throw Error("cannot open encoder " + opt.encoder + ": " + av_error_string(err));
  if (!unused.empty()) throw Error(opt.encoder + ": unknown option(s): " + unused);

  frame->format = AV_PIX_FMT_YUV420P;
  frame->width = first.width;
  frame->height = first.height;
  frame->color_range = enc->color_range;
  frame->colorspace = enc->colorspace;
  if (av_frame_get_buffer(frame.get(), 0) < 0) throw Error("out of memory");

  ElementaryStream out;
  out.codec = avcodec_get_name(codec->id);
  int64_t pts = 0;
  for (const Frame& f : frames) {
    if (f.fmt != PixFmt::YUV420P || f.width != first.width || f.height != first.height)
      throw Error(opt.encoder + ": frames must all be " + std::to_string(first.width) + "x" +
                  std::to_string(first.height) + " yuv420p");
    if (av_frame_make_writable(frame.get()) < 0) throw Error("out of memory");
    for (int p = 0; p < 3; ++p) {
      int w = f.plane_width(p), h = f.plane_height(p);
      for (int y = 0; y < h; ++y)
        std::memcpy(frame->data[p] + size_t(y) * frame->linesize[p],
                    f.planes[p].data() + size_t(y) * w, w);
    }
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

void decode_elementary(const ElementaryStream& s,
                       const std::function<void(const Frame&)>& on_frame) {
  // FFmpeg's native AV1 decoder needs hardware; libdav1d is its software decoder.
  const AVCodec* codec =
      avcodec_find_decoder_by_name(s.codec == "av1" ? "libdav1d" : s.codec.c_str());
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
  for (size_t n : s.packet_sizes) {
    if (av_new_packet(pkt.get(), int(n)) < 0) throw Error("out of memory");
    std::memcpy(pkt->data, s.bytes.data() + offset, n);
    offset += n;
    err = avcodec_send_packet(dec.get(), pkt.get());
    av_packet_unref(pkt.get());
    if (err < 0) throw Error(s.codec + ": decode error: " + av_error_string(err));
    emit_frames(dec.get(), f.get(), out, index, on_frame);
  }
  err = avcodec_send_packet(dec.get(), nullptr);
  if (err < 0 && err != AVERROR_EOF)
    throw Error(s.codec + ": decode error: " + av_error_string(err));
  emit_frames(dec.get(), f.get(), out, index, on_frame);
}

std::string ffmpeg_version() {
  return std::string("FFmpeg ") + av_version_info() + ", " + LIBAVCODEC_IDENT;
}

}  // namespace nerv
