// VideoReader over libavformat/libavcodec: first video stream, decoded in order, converted to
// 8-bit planar frames. Frames are counted in decode order, so start/limit are exact indices.
#include <sys/stat.h>

#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include "base/error.h"
#include "io/ffmpeg_util.h"
#include "io/sws_bridge.h"
#include "io/video_reader.h"

namespace nerv {
namespace {

constexpr int kMaxDim = 16384;

ColorMatrix matrix_of(AVColorSpace cs, int height, bool& guessed) {
  guessed = false;
  switch (cs) {
    case AVCOL_SPC_BT709:
      return ColorMatrix::BT709;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M:
    case AVCOL_SPC_FCC:
      return ColorMatrix::BT601;
    default:  // unstated: the usual convention, HD is BT.709, SD is BT.601
      guessed = true;
      return height >= 720 ? ColorMatrix::BT709 : ColorMatrix::BT601;
  }
}

// One plane of samples (with or without alpha), not a palette.
bool is_grey(AVPixelFormat fmt) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  if (!d || (d->flags & (AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_RGB))) return false;
  return d->nb_components - ((d->flags & AV_PIX_FMT_FLAG_ALPHA) ? 1 : 0) == 1;
}

// Grey sources (PNG, PGM, TIFF, ...) use the whole range unless they say otherwise.
bool is_full_range(AVPixelFormat fmt, AVColorRange r) {
  return r == AVCOL_RANGE_JPEG || fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_YUVJ422P ||
         fmt == AV_PIX_FMT_YUVJ444P || (is_grey(fmt) && r != AVCOL_RANGE_MPEG);
}

bool is_rgb(AVPixelFormat fmt) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  return d && (d->flags & AV_PIX_FMT_FLAG_RGB);
}

class FfmpegReader final : public VideoReader {
 public:
  FfmpegReader(const std::string& url, const ReadOptions& opt) : opt_(opt) {
    try {
      open(url);
    } catch (...) {  // no destructor runs for a constructor that throws
      release();
      throw;
    }
  }
  ~FfmpegReader() override { release(); }
  const VideoInfo& info() const override { return info_; }
  bool read(Frame& out) override;
  void set_out_fmt(PixFmt f) override {
    opt_.out_fmt = f;
    info_.fmt = f;
  }

 private:
  void open(const std::string& url);
  void release() {
    sws_freeContext(sws_);
    sws_ = nullptr;
    av_frame_free(&frame_);
    av_packet_free(&pkt_);
    avcodec_free_context(&dec_);
    avformat_close_input(&fmt_);
  }
  bool decode_next();  // next decoded frame into frame_; false at the end
  void deliver(Frame& out);

  ReadOptions opt_;
  VideoInfo info_;
  AVFormatContext* fmt_ = nullptr;
  AVCodecContext* dec_ = nullptr;
  AVPacket* pkt_ = nullptr;
  AVFrame* frame_ = nullptr;
  SwsContext* sws_ = nullptr;
  int stream_ = -1;
  bool flushing_ = false;
  bool src_full_ = false;
  int64_t decoded_ = 0;  // frames decoded so far (source index of the next one)
  int64_t delivered_ = 0;
};

void FfmpegReader::open(const std::string& url) {
  if (url != "-" && url.find("://") == std::string::npos) {
    struct stat st {};
    if (stat(url.c_str(), &st) != 0) throw Error(url + ": no such file");
    if (S_ISDIR(st.st_mode)) throw Error(url + ": is a directory");
  }
  info_.url = url;
  info_.fmt = opt_.out_fmt;
  std::string format = opt_.format;
  auto ends_with = [&](const char* ext) {
    size_t n = std::strlen(ext);
    return url.size() >= n && url.compare(url.size() - n, n, ext) == 0;
  };
  bool raw = format == "rawvideo" || (format.empty() && (ends_with(".yuv") || ends_with(".raw")));
  AVDictionary* dict = nullptr;
  if (raw) {
    if (opt_.width <= 0 || opt_.height <= 0)
      throw Error(url + ": raw video input needs --size WxH (and --pix-fmt, --fps)");
    format = "rawvideo";
    std::string size = std::to_string(opt_.width) + "x" + std::to_string(opt_.height);
    av_dict_set(&dict, "video_size", size.c_str(), 0);
    av_dict_set(&dict, "pixel_format", opt_.pix_fmt.empty() ? "yuv420p" : opt_.pix_fmt.c_str(), 0);
    std::string rate = std::to_string(opt_.fps.num) + "/" + std::to_string(opt_.fps.den);
    av_dict_set(&dict, "framerate", rate.c_str(), 0);
  }
  const AVInputFormat* ifmt = nullptr;
  if (!format.empty()) {
    ifmt = av_find_input_format(format.c_str());
    if (!ifmt) {
      av_dict_free(&dict);
      throw Error("unknown input format '" + format + "'");
    }
  }
  std::string ff_url = ffmpeg_url(url, false);
  int err = avformat_open_input(&fmt_, ff_url.c_str(), ifmt, &dict);
  av_dict_free(&dict);
  if (err < 0) {
    if (err == AVERROR_INVALIDDATA) throw Error(url + ": not a video FFmpeg can read");
    throw Error(url + ": cannot open: " + av_error_string(err));
  }
  err = avformat_find_stream_info(fmt_, nullptr);
  if (err < 0) throw Error(url + ": cannot read stream info: " + av_error_string(err));
  stream_ = av_find_best_stream(fmt_, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_ < 0) throw Error(url + ": no video stream");
  for (unsigned i = 0; i < fmt_->nb_streams; ++i)
    if (int(i) != stream_) fmt_->streams[i]->discard = AVDISCARD_ALL;

  AVStream* st = fmt_->streams[stream_];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) throw Error(url + ": no decoder for its video codec");
  dec_ = avcodec_alloc_context3(codec);
  if (!dec_ || avcodec_parameters_to_context(dec_, st->codecpar) < 0)
    throw Error(url + ": cannot set up the decoder");
  dec_->thread_count = 0;  // let libavcodec pick
  err = avcodec_open2(dec_, codec, nullptr);
  if (err < 0) throw Error(url + ": cannot open decoder: " + av_error_string(err));
  if (dec_->width == 0 || dec_->height == 0)
    throw Error(url + ": no picture size in the stream (damaged or truncated?)");
  if (dec_->width < 0 || dec_->height < 0 || dec_->width > kMaxDim || dec_->height > kMaxDim)
    throw Error(url + ": unsupported frame size " + std::to_string(dec_->width) + "x" +
                std::to_string(dec_->height));

  pkt_ = av_packet_alloc();
  frame_ = av_frame_alloc();
  if (!pkt_ || !frame_) throw Error("out of memory");

  info_.container = fmt_->iformat->name;
  info_.codec = codec->name;
  const char* pf = av_get_pix_fmt_name(dec_->pix_fmt);
  info_.src_pix_fmt = pf ? pf : "unknown";
  if (const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(dec_->pix_fmt)) {
    info_.src_bits = d->comp[0].depth;
    info_.src_alpha = (d->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
    info_.src_grey = is_grey(dec_->pix_fmt);
  }
  info_.width = dec_->width;
  info_.height = dec_->height;
  AVRational fr = av_guess_frame_rate(fmt_, st, nullptr);
  info_.fps = {fr.num, fr.den};
  info_.time_base = {st->time_base.num, st->time_base.den};
  if (is_rgb(dec_->pix_fmt)) {  // RGB sources become BT.601 limited-range YUV
    info_.matrix = ColorMatrix::BT601;
    info_.range = ColorRange::Limited;
  } else {
    info_.matrix = matrix_of(dec_->colorspace, dec_->height, info_.matrix_guessed);
    src_full_ = is_full_range(dec_->pix_fmt, dec_->color_range);
    info_.range = src_full_ ? ColorRange::Full : ColorRange::Limited;
  }
  info_.frames = st->nb_frames > 0 ? st->nb_frames : -1;
  if (fmt_->duration > 0) info_.duration_s = fmt_->duration / double(AV_TIME_BASE);
}

bool FfmpegReader::decode_next() {
  for (;;) {
    int err = avcodec_receive_frame(dec_, frame_);
    if (err == 0) return true;
    if (err == AVERROR_EOF) return false;
    if (err != AVERROR(EAGAIN)) throw Error(info_.url + ": decode error: " + av_error_string(err));
    if (flushing_) return false;
    err = av_read_frame(fmt_, pkt_);
    if (err == AVERROR_EOF) {
      flushing_ = true;
      avcodec_send_packet(dec_, nullptr);
      continue;
    }
    if (err < 0) throw Error(info_.url + ": read error: " + av_error_string(err));
    if (pkt_->stream_index == stream_) {
      err = avcodec_send_packet(dec_, pkt_);
      if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_INVALIDDATA)
        throw Error(info_.url + ": decode error: " + av_error_string(err));
    }
    av_packet_unref(pkt_);
  }
}

bool FfmpegReader::read(Frame& out) {
  if (opt_.max_frames >= 0 && delivered_ >= opt_.max_frames) return false;
  for (;;) {
    if (!decode_next()) return false;
    int64_t index = decoded_++;
    if (index >= opt_.start_frame) {
      deliver(out);
      out.index = index;
      av_frame_unref(frame_);
      ++delivered_;
      return true;
    }
    av_frame_unref(frame_);
  }
}

void FfmpegReader::deliver(Frame& out) {
  if (frame_->width != info_.width || frame_->height != info_.height)
    throw Error(info_.url + ": frame size changes mid-stream, which nervc does not support");
  out.matrix = info_.matrix;
  out.range = info_.range;
  out.resize(frame_->width, frame_->height, opt_.out_fmt);
  AVPixelFormat src = AVPixelFormat(frame_->format);
  bool same_layout = (opt_.out_fmt == PixFmt::YUV420P &&
                      (src == AV_PIX_FMT_YUV420P || src == AV_PIX_FMT_YUVJ420P)) ||
                     (opt_.out_fmt == PixFmt::YUV444P &&
                      (src == AV_PIX_FMT_YUV444P || src == AV_PIX_FMT_YUVJ444P)) ||
                     (opt_.out_fmt == PixFmt::GRAY && src == AV_PIX_FMT_GRAY8 && src_full_);
  if (same_layout) {  // copy, so the lossless path stays bit exact
    for (int p = 0; p < out.plane_count(); ++p)
      av_image_copy_plane(out.planes[p].data(), out.plane_width(p), frame_->data[p],
                          frame_->linesize[p], out.plane_width(p), out.plane_height(p));
    return;
  }
  sws_into_frame(&sws_, frame_->data, frame_->linesize, src, src_full_, out);
}

}  // namespace

std::unique_ptr<VideoReader> open_ffmpeg_reader(const std::string& url, const ReadOptions& opt) {
  return std::make_unique<FfmpegReader>(url, opt);
}

}  // namespace nerv
