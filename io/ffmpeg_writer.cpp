// VideoWriter over libavcodec/libavformat. Codec defaults by container: y4m and nut carry raw
// frames, mkv FFV1 (lossless), mp4 libx264; an image file (.png, .jpg, ...) the codec its
// extension names, written through the image2pipe muxer so that the file is ours to name.
#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include "base/error.h"
#include "io/ffmpeg_util.h"
#include "io/sws_bridge.h"
#include "io/temp_output.h"
#include "io/video_writer.h"

namespace nerv {
namespace {

std::string default_codec(const std::string& muxer) {
  if (muxer == "yuv4mpegpipe") return "wrapped_avframe";  // FFmpeg's y4m muxer takes only this
  if (muxer == "nut" || muxer == "rawvideo" || muxer == "avi") return "rawvideo";
  if (muxer == "matroska") return "ffv1";
  if (muxer == "image2pipe") return "png";
  return "libx264";
}

// The encoder's format for frames of `src`: the same where the encoder takes it (or says
// nothing), else the closest it takes.
AVPixelFormat encoder_format(const AVCodec* codec, AVPixelFormat src) {
  if (!codec->pix_fmts) return src;
  for (const AVPixelFormat* p = codec->pix_fmts; *p != AV_PIX_FMT_NONE; ++p)
    if (*p == src) return src;
  return avcodec_find_best_pix_fmt_of_list(codec->pix_fmts, src, 0, nullptr);
}

class FfmpegWriter final : public VideoWriter {
 public:
  FfmpegWriter(const std::string& url, const VideoInfo& info, const WriteOptions& opt) : out_(url) {
    try {
      open(url, info, opt);
    } catch (...) {  // no destructor runs for a constructor that throws
      release();
      throw;
    }
  }
  ~FfmpegWriter() override { release(); }
  void write(const Frame& f) override;
  void close() override;
  std::string description() const override { return desc_; }

 private:
  void open(const std::string& url, const VideoInfo& info, const WriteOptions& opt);
  void release() {
    if (fmt_ && fmt_->pb && !(fmt_->oformat->flags & AVFMT_NOFILE)) avio_closep(&fmt_->pb);
    avformat_free_context(fmt_);
    fmt_ = nullptr;
    avcodec_free_context(&enc_);
    av_frame_free(&frame_);
    av_packet_free(&pkt_);
    sws_freeContext(sws_);
    sws_ = nullptr;
  }
  void drain();

  TempOutput out_;
  std::string desc_;
  AVFormatContext* fmt_ = nullptr;
  AVCodecContext* enc_ = nullptr;
  AVStream* st_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* pkt_ = nullptr;
  SwsContext* sws_ = nullptr;  // when the encoder takes another pixel format than the frames
  PixFmt src_fmt_ = PixFmt::YUV420P;
  ColorMatrix matrix_ = ColorMatrix::BT601;
  bool yuv_full_ = false;
  int64_t next_pts_ = 0;
  bool closed_ = false;
};

void FfmpegWriter::open(const std::string& url, const VideoInfo& info, const WriteOptions& opt) {
  const AVOutputFormat* ofmt = nullptr;
  if (!opt.format.empty()) {
    ofmt = av_guess_format(opt.format == "y4m" ? "yuv4mpegpipe" : opt.format.c_str(), nullptr,
                           nullptr);
    if (!ofmt) throw Error("unknown output format '" + opt.format + "'");
  } else {
    if (url == "-") throw Error("writing to stdout needs a format (-f y4m, -f nut, ...)");
    ofmt = av_guess_format(nullptr, url.c_str(), nullptr);
    if (!ofmt) throw Error(url + ": cannot tell the container from the extension; use -f");
  }
  const AVCodec* codec = nullptr;
  std::string codec_name = opt.codec;
  if (std::strcmp(ofmt->name, "image2") == 0) {
    // An image file (the image2 muxer, which opens files itself): its extension names the
    // codec, and image2pipe writes the one image into our own (temporary) file.
    if (codec_name.empty()) {
      AVCodecID id = av_guess_codec(ofmt, nullptr, url.c_str(), nullptr, AVMEDIA_TYPE_VIDEO);
      codec = id == AV_CODEC_ID_NONE ? nullptr : avcodec_find_encoder(id);
      if (!codec) throw Error(url + ": no image encoder for this extension in this FFmpeg");
      codec_name = codec->name;
    }
    ofmt = av_guess_format("image2pipe", nullptr, nullptr);
    if (!ofmt) throw Error("this FFmpeg has no image2pipe muxer");
  }
  if (codec_name.empty()) codec_name = default_codec(ofmt->name);
  if (!codec) codec = avcodec_find_encoder_by_name(codec_name.c_str());
  if (!codec) throw Error("encoder '" + codec_name + "' is not available in this FFmpeg");
  if (avformat_query_codec(ofmt, codec->id, FF_COMPLIANCE_NORMAL) == 0)
    throw Error(std::string("container ") + ofmt->name + " cannot carry " + codec_name);
  desc_ = std::string(ofmt->name) + " / " + codec_name;

  if (avformat_alloc_output_context2(&fmt_, ofmt, nullptr, nullptr) < 0 || !fmt_)
    throw Error("cannot create the " + std::string(ofmt->name) + " muxer");
  enc_ = avcodec_alloc_context3(codec);
  frame_ = av_frame_alloc();
  pkt_ = av_packet_alloc();
  if (!enc_ || !frame_ || !pkt_) throw Error("out of memory");

  AVRational fps = info.fps.valid() ? AVRational{info.fps.num, info.fps.den} : AVRational{25, 1};
  enc_->width = info.width;
  enc_->height = info.height;
  src_fmt_ = info.fmt;
  enc_->pix_fmt = encoder_format(codec, to_av(info.fmt));
  if (info.fmt == PixFmt::RGBP && std::strcmp(ofmt->name, "yuv4mpegpipe") == 0)
    enc_->pix_fmt = AV_PIX_FMT_YUV444P;  // Y4M carries YUV only: RGB as 4:4:4 (stream's matrix)
  if (enc_->pix_fmt == AV_PIX_FMT_NONE)
    throw Error(codec_name + " takes no pixel format that " + to_string(info.fmt) +
                " frames convert to");
  enc_->time_base = av_inv_q(fps);
  enc_->framerate = fps;
  enc_->sample_aspect_ratio = {1, 1};
  enc_->color_range = info.range == ColorRange::Full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  bool hd = info.matrix == ColorMatrix::BT709;
  enc_->colorspace = hd ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
  enc_->color_primaries = hd ? AVCOL_PRI_BT709 : AVCOL_PRI_SMPTE170M;
  enc_->color_trc = hd ? AVCOL_TRC_BT709 : AVCOL_TRC_SMPTE170M;
  if (fmt_->oformat->flags & AVFMT_GLOBALHEADER) enc_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  AVDictionary* copts = nullptr;
  bool x26x = codec_name == "libx264" || codec_name == "libx265";
  if (x26x) {
    av_dict_set(&copts, "preset", opt.preset.empty() ? "medium" : opt.preset.c_str(), 0);
    if (opt.qp >= 0) {
      if (codec_name == "libx264") av_dict_set_int(&copts, "qp", opt.qp, 0);
    } else {
      av_dict_set_int(&copts, "crf", opt.crf >= 0 ? opt.crf : (codec_name == "libx264" ? 18 : 22),
                      0);
    }
    if (codec_name == "libx265") {
      std::string params = "log-level=error";
      if (opt.qp >= 0) params += ":qp=" + std::to_string(opt.qp);
      if (!opt.x265_params.empty()) params += ":" + opt.x265_params;
      av_dict_set(&copts, "x265-params", params.c_str(), 0);
    }
  } else if (codec_name == "ffv1") {
    enc_->thread_count = 0;
  }
  int err = avcodec_open2(enc_, codec, &copts);
  av_dict_free(&copts);
  if (err < 0) throw Error("cannot open encoder " + codec_name + ": " + av_error_string(err));

  st_ = avformat_new_stream(fmt_, nullptr);
  if (!st_ || avcodec_parameters_from_context(st_->codecpar, enc_) < 0)
    throw Error("cannot create the output stream");
  st_->time_base = enc_->time_base;
  st_->avg_frame_rate = fps;

  if (!(ofmt->flags & AVFMT_NOFILE)) {
    std::string path = ffmpeg_url(out_.write_path(), true);
    err = avio_open(&fmt_->pb, path.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) throw Error(url + ": cannot open for writing: " + av_error_string(err));
  }
  err = avformat_write_header(fmt_, nullptr);
  if (err < 0) throw Error(url + ": cannot write the header: " + av_error_string(err));

  frame_->format = enc_->pix_fmt;
  frame_->width = info.width;
  frame_->height = info.height;
  frame_->color_range = enc_->color_range;
  frame_->colorspace = enc_->colorspace;
  if (av_frame_get_buffer(frame_, 0) < 0) throw Error("out of memory");
  matrix_ = info.matrix;
  yuv_full_ = info.range == ColorRange::Full;  // RGB frames: the YUV the encoder gets
}

void FfmpegWriter::write(const Frame& f) {
  if (f.fmt != src_fmt_ || f.width != enc_->width || f.height != enc_->height)
    throw Error("writer expects " + std::to_string(enc_->width) + "x" +
                std::to_string(enc_->height) + " " + to_string(src_fmt_) + " frames");
  if (av_frame_make_writable(frame_) < 0) throw Error("out of memory");
  frame_into_av(&sws_, f, frame_, matrix_, yuv_full_);
  frame_->pts = next_pts_++;
  int err = avcodec_send_frame(enc_, frame_);
  if (err < 0) throw Error("encode error: " + av_error_string(err));
  drain();
}

void FfmpegWriter::drain() {
  for (;;) {
    int err = avcodec_receive_packet(enc_, pkt_);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) throw Error("encode error: " + av_error_string(err));
    av_packet_rescale_ts(pkt_, enc_->time_base, st_->time_base);
    pkt_->stream_index = st_->index;
    err = av_interleaved_write_frame(fmt_, pkt_);
    if (err < 0) throw Error(out_.final_path() + ": write error: " + av_error_string(err));
  }
}

void FfmpegWriter::close() {
  if (closed_) return;
  closed_ = true;
  int err = avcodec_send_frame(enc_, nullptr);
  if (err < 0 && err != AVERROR_EOF) throw Error("encode error: " + av_error_string(err));
  drain();
  err = av_write_trailer(fmt_);
  if (err < 0) throw Error(out_.final_path() + ": cannot finish the file: " + av_error_string(err));
  if (!(fmt_->oformat->flags & AVFMT_NOFILE)) {
    err = avio_closep(&fmt_->pb);
    if (err < 0) throw Error(out_.final_path() + ": write error: " + av_error_string(err));
  }
  out_.commit();
}

}  // namespace

std::unique_ptr<VideoWriter> open_ffmpeg_writer(const std::string& url, const VideoInfo& info,
                                                const WriteOptions& opt) {
  return std::make_unique<FfmpegWriter>(url, info, opt);
}

}  // namespace nerv
