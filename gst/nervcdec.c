/* nervcdec: see nervcdec.h. Threads: the source pad's task owns the decoder (opened, read and
 * seeked under that pad's stream lock); push-mode input is handed over through `queue`,
 * guarded by `lock`. */
#include "nervcdec.h"

#include <gst/base/gstadapter.h>
#include <gst/video/video.h>
#include <nervc/nervc.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(nervcdec_debug);
#define GST_CAT_DEFAULT nervcdec_debug

/* Push mode: upstream waits while this much input is queued and not yet read. */
#define MAX_QUEUED (8u << 20)

struct _GstNervcDec {
  GstElement parent;
  GstPad *sinkpad, *srcpad;
  gchar* device; /* properties */
  gint threads;

  /* The task's, and the seek handler's under the source pad's stream lock. */
  NervDecoder* dec;
  GstVideoInfo vinfo;
  GstSegment segment;
  gboolean need_header; /* stream-start, caps and segment still to send */
  gboolean need_segment;
  gboolean discont; /* the next buffer follows a seek or a flush */
  guint32 seqnum;   /* of the seek that made the segment (0: none) */
  guint64 position; /* pull mode: the next byte read from upstream */

  /* Set at activation and when the stream header has been read (object lock). */
  gboolean pull;
  guint64 size;
  gboolean have_info;
  NervStreamInfo info;
  /* A seek for the task to apply before its next frame (object lock). */
  gboolean have_pending;
  GstSegment pending;
  guint32 pending_seqnum;

  /* Push mode (lock): bytes from upstream, end of input, flushing, the task's last result. */
  GMutex lock;
  GCond cond;
  GstAdapter* queue;
  gboolean eos, flushing;
  GstFlowReturn srcresult;
};

G_DEFINE_TYPE(GstNervcDec, gst_nervc_dec, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE(nervcdec, "nervcdec", GST_RANK_PRIMARY, GST_TYPE_NERVC_DEC);

enum { PROP_0, PROP_DEVICE, PROP_THREADS };

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-nerv"));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS,
                            GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE("{ I420, GBR, GRAY8 }")));

/* ---- input: libnervc's callbacks ---- */

/* Pull mode: read at `position` from upstream. A read error or a flush is returned as more
 * than asked (libnervc's "error"); the end of upstream's data as 0. */
static size_t read_pull(void* opaque, void* buf, size_t n) {
  GstNervcDec* self = opaque;
  GstBuffer* b = NULL;
  GstFlowReturn r = gst_pad_pull_range(self->sinkpad, self->position, (guint)MIN(n, G_MAXUINT), &b);
  if (r == GST_FLOW_EOS) return 0;
  if (r != GST_FLOW_OK) return n + 1;
  gsize got = gst_buffer_extract(b, 0, buf, n);
  gst_buffer_unref(b);
  self->position += got;
  return got;
}

static int seek_pull(void* opaque, uint64_t offset) {
  GstNervcDec* self = opaque;
  self->position = offset;
  return 0;
}

/* Push mode: wait for bytes from the chain function. */
static size_t read_push(void* opaque, void* buf, size_t n) {
  GstNervcDec* self = opaque;
  g_mutex_lock(&self->lock);
  while (gst_adapter_available(self->queue) == 0 && !self->eos && !self->flushing)
    g_cond_wait(&self->cond, &self->lock);
  size_t got = self->flushing ? n + 1 : MIN(n, gst_adapter_available(self->queue));
  if (got && got <= n) {
    gst_adapter_copy(self->queue, buf, 0, got);
    gst_adapter_flush(self->queue, got);
    g_cond_broadcast(&self->cond); /* room for upstream again */
  }
  g_mutex_unlock(&self->lock);
  return got;
}

static gboolean is_flushing(GstNervcDec* self) {
  g_mutex_lock(&self->lock);
  gboolean f = self->flushing;
  g_mutex_unlock(&self->lock);
  return f;
}

/* ---- output ---- */

static GstClockTime frame_time(const NervStreamInfo* info, guint64 frame) {
  return gst_util_uint64_scale(frame, (guint64)GST_SECOND * (guint64)info->fps_den,
                               (guint64)info->fps_num);
}

static void set_video_info(GstNervcDec* self) {
  const NervStreamInfo* in = &self->info;
  GstVideoFormat f = in->pixel_format == NERV_PIX_RGB    ? GST_VIDEO_FORMAT_GBR
                     : in->pixel_format == NERV_PIX_GRAY ? GST_VIDEO_FORMAT_GRAY8
                                                         : GST_VIDEO_FORMAT_I420;
  GstVideoInfo* v = &self->vinfo;
  gst_video_info_set_format(v, f, (guint)in->width, (guint)in->height);
  v->fps_n = in->fps_num;
  v->fps_d = in->fps_den;
  if (in->pixel_format == NERV_PIX_YUV420P) {
    v->colorimetry.range =
        in->full_range ? GST_VIDEO_COLOR_RANGE_0_255 : GST_VIDEO_COLOR_RANGE_16_235;
    v->colorimetry.matrix = in->bt709 ? GST_VIDEO_COLOR_MATRIX_BT709 : GST_VIDEO_COLOR_MATRIX_BT601;
    v->colorimetry.transfer = GST_VIDEO_TRANSFER_BT709;
    v->colorimetry.primaries =
        in->bt709 ? GST_VIDEO_COLOR_PRIMARIES_BT709 : GST_VIDEO_COLOR_PRIMARIES_SMPTE170M;
  }
}

static gboolean open_decoder(GstNervcDec* self) {
  NervDecoderSettings s;
  nerv_default_decoder_settings(&s);
  GST_OBJECT_LOCK(self);
  gchar* device = g_strdup(self->device);
  gint threads = self->threads;
  GST_OBJECT_UNLOCK(self);
  s.device = device;
  /* 0: every core, as nervc decode (the float synthesis may round differently with another
   * thread count: by at most 1 per sample, docs/bitstream.md). */
  s.threads = threads ? threads : (int)g_get_num_processors();
  NervIO io = {read_push, NULL, 0, self};
  if (self->pull) {
    io.read = read_pull;
    io.seek = seek_pull;
    io.size = self->size;
    self->position = 0;
  }
  NervStatus st = nerv_decoder_open_io(&self->dec, &io, &s);
  g_free(device);
  if (st != NERV_OK) return FALSE;
  NervStreamInfo info;
  nerv_decoder_info(self->dec, &info);
  GST_OBJECT_LOCK(self);
  self->info = info;
  self->have_info = TRUE;
  GST_OBJECT_UNLOCK(self);
  set_video_info(self);
  return TRUE;
}

static void send_header(GstNervcDec* self) {
  gchar* id = gst_pad_create_stream_id(self->srcpad, GST_ELEMENT(self), NULL);
  gst_pad_push_event(self->srcpad, gst_event_new_stream_start(id));
  g_free(id);
  GstCaps* caps = gst_video_info_to_caps(&self->vinfo);
  gst_pad_push_event(self->srcpad, gst_event_new_caps(caps));
  gst_caps_unref(caps);
  if (self->info.frames) {
    GstTagList* tags = gst_tag_list_new(GST_TAG_VIDEO_CODEC, "nervc", NULL);
    gst_pad_push_event(self->srcpad, gst_event_new_tag(tags));
  }
}

/* The end: EOS downstream (a failure has been posted before), or at the end of a segment seek
 * SEGMENT_DONE. The task then pauses. */
static void stop(GstNervcDec* self, GstFlowReturn why) {
  g_mutex_lock(&self->lock);
  self->srcresult = why;
  g_cond_broadcast(&self->cond);
  g_mutex_unlock(&self->lock);
  if (why == GST_FLOW_EOS && (self->segment.flags & GST_SEGMENT_FLAG_SEGMENT)) {
    gint64 at = (gint64)self->segment.position;
    GstMessage* m = gst_message_new_segment_done(GST_OBJECT(self), GST_FORMAT_TIME, at);
    GstEvent* e = gst_event_new_segment_done(GST_FORMAT_TIME, at);
    if (self->seqnum) {
      gst_message_set_seqnum(m, self->seqnum);
      gst_event_set_seqnum(e, self->seqnum);
    }
    gst_element_post_message(GST_ELEMENT(self), m);
    gst_pad_push_event(self->srcpad, e);
  } else if (why == GST_FLOW_EOS || why == GST_FLOW_NOT_LINKED || why < GST_FLOW_EOS) {
    GstEvent* e = gst_event_new_eos();
    if (self->seqnum) gst_event_set_seqnum(e, self->seqnum);
    gst_pad_push_event(self->srcpad, e);
  }
  gst_pad_pause_task(self->srcpad);
}

static void apply_pending_seek(GstNervcDec* self);

static void decode_loop(gpointer data) {
  GstNervcDec* self = data;
  if (!self->dec && !open_decoder(self)) {
    if (is_flushing(self)) return stop(self, GST_FLOW_FLUSHING);
    GST_ELEMENT_ERROR(self, STREAM, DECODE, ("%s", nerv_last_error()), (NULL));
    return stop(self, GST_FLOW_ERROR);
  }
  if (self->need_header) {
    send_header(self);
    self->need_header = FALSE;
  }
  apply_pending_seek(self);
  if (self->need_segment) {
    GstEvent* e = gst_event_new_segment(&self->segment);
    if (self->seqnum) gst_event_set_seqnum(e, self->seqnum);
    gst_pad_push_event(self->srcpad, e);
    self->need_segment = FALSE;
  }

  GstBuffer* buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&self->vinfo), NULL);
  GstVideoFrame vf;
  if (!gst_video_frame_map(&vf, &self->vinfo, buf, GST_MAP_WRITE)) {
    gst_buffer_unref(buf);
    GST_ELEMENT_ERROR(self, CORE, FAILED, ("cannot map an output buffer"), (NULL));
    return stop(self, GST_FLOW_ERROR);
  }
  /* Components in libnervc's order: Y U V, R G B (GBR stores them as G B R), grey. */
  uint8_t* planes[3] = {NULL, NULL, NULL};
  int strides[3] = {0, 0, 0};
  for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(&vf); ++c) {
    planes[c] = GST_VIDEO_FRAME_COMP_DATA(&vf, c);
    strides[c] = GST_VIDEO_FRAME_COMP_STRIDE(&vf, c);
  }
  NervFrame fr;
  NervStatus s = nerv_decoder_next_into(self->dec, planes, strides, &fr);
  gst_video_frame_unmap(&vf);
  if (s != NERV_OK) {
    gst_buffer_unref(buf);
    if (s == NERV_END) return stop(self, GST_FLOW_EOS);
    if (is_flushing(self)) return stop(self, GST_FLOW_FLUSHING);
    GST_ELEMENT_ERROR(self, STREAM, DECODE, ("%s", nerv_last_error()), (NULL));
    return stop(self, GST_FLOW_ERROR);
  }
  GstClockTime pts = frame_time(&self->info, fr.index);
  GST_BUFFER_PTS(buf) = pts;
  GST_BUFFER_DURATION(buf) = frame_time(&self->info, fr.index + 1) - pts;
  if (self->discont) GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
  self->discont = FALSE;
  GST_BUFFER_OFFSET(buf) = fr.index;
  GST_BUFFER_OFFSET_END(buf) = fr.index + 1;
  if (GST_CLOCK_TIME_IS_VALID(self->segment.stop) && pts >= self->segment.stop) {
    gst_buffer_unref(buf);
    return stop(self, GST_FLOW_EOS);
  }
  GST_OBJECT_LOCK(self);
  self->segment.position = pts;
  GST_OBJECT_UNLOCK(self);
  GstFlowReturn r = gst_pad_push(self->srcpad, buf);
  if (r < GST_FLOW_OK) {
    if (r == GST_FLOW_NOT_LINKED || r < GST_FLOW_EOS) GST_ELEMENT_FLOW_ERROR(self, r);
    stop(self, r);
  }
}

static void start_task(GstNervcDec* self) {
  g_mutex_lock(&self->lock);
  self->srcresult = GST_FLOW_OK;
  g_mutex_unlock(&self->lock);
  gst_pad_start_task(self->srcpad, decode_loop, self, NULL);
}

static void reset(GstNervcDec* self) {
  nerv_decoder_close(self->dec);
  self->dec = NULL;
  gst_segment_init(&self->segment, GST_FORMAT_TIME);
  self->need_header = self->need_segment = self->discont = TRUE;
  self->seqnum = 0;
  GST_OBJECT_LOCK(self);
  self->have_info = self->have_pending = FALSE;
  GST_OBJECT_UNLOCK(self);
  g_mutex_lock(&self->lock);
  gst_adapter_clear(self->queue);
  self->eos = FALSE;
  g_mutex_unlock(&self->lock);
}

static void set_flushing(GstNervcDec* self, gboolean flushing) {
  g_mutex_lock(&self->lock);
  self->flushing = flushing;
  g_cond_broadcast(&self->cond);
  g_mutex_unlock(&self->lock);
}

/* ---- seeking (pull mode) ---- */

/* In the task: a pending seek moves the decoder to the frame shown at the segment's start
 * (decoding restarts at the intra segment before it), and the segment starts at that frame. */
static void apply_pending_seek(GstNervcDec* self) {
  GST_OBJECT_LOCK(self);
  gboolean have = self->have_pending;
  GstSegment seg = self->pending;
  self->have_pending = FALSE;
  GST_OBJECT_UNLOCK(self);
  if (!have) return;
  const NervStreamInfo* in = &self->info;
  guint64 frame = gst_util_uint64_scale(seg.start, (guint64)in->fps_num,
                                        (guint64)GST_SECOND * (guint64)in->fps_den);
  if (in->frames && frame >= in->frames) frame = in->frames - 1;
  if (nerv_decoder_seek(self->dec, frame) == NERV_OK) {
    seg.start = seg.time = seg.position = frame_time(in, frame);
    if (in->frames) seg.duration = frame_time(in, in->frames);
  } else {
    GST_ELEMENT_WARNING(self, STREAM, FAILED, ("seek failed: %s", nerv_last_error()), (NULL));
  }
  GST_OBJECT_LOCK(self);
  self->segment = seg;
  GST_OBJECT_UNLOCK(self);
  self->seqnum = self->pending_seqnum;
  self->need_segment = self->discont = TRUE;
}

/* The new segment is worked out here; the task applies it before its next frame. A flushing
 * seek flushes downstream and restarts the task; a non-flushing one lets the current frame
 * finish (in PAUSED the task waits in the sink's preroll: it must not be waited for). */
static gboolean do_seek(GstNervcDec* self, GstEvent* event) {
  gdouble rate;
  GstFormat format;
  GstSeekFlags flags;
  GstSeekType start_type, stop_type;
  gint64 start, stop_at;
  gst_event_parse_seek(event, &rate, &format, &flags, &start_type, &start, &stop_type, &stop_at);
  GST_OBJECT_LOCK(self);
  gboolean pull = self->pull, have = self->have_info;
  NervStreamInfo info = self->info;
  GstSegment seg = self->segment;
  GST_OBJECT_UNLOCK(self);
  if (!pull || rate <= 0.0 || (have && !info.seekable)) return FALSE;
  if (format == GST_FORMAT_DEFAULT) { /* frames */
    if (!have) return FALSE;
    if (start_type != GST_SEEK_TYPE_NONE && start >= 0)
      start = (gint64)frame_time(&info, (guint64)start);
    if (stop_type != GST_SEEK_TYPE_NONE && stop_at >= 0)
      stop_at = (gint64)frame_time(&info, (guint64)stop_at);
  } else if (format != GST_FORMAT_TIME) {
    return FALSE;
  }
  if (!gst_segment_do_seek(&seg, rate, GST_FORMAT_TIME, flags, start_type, (guint64)start,
                           stop_type, (guint64)stop_at, NULL))
    return FALSE;
  const gboolean flush = (flags & GST_SEEK_FLAG_FLUSH) != 0;
  const guint32 seqnum = gst_event_get_seqnum(event);
  if (flush) {
    GstEvent* e = gst_event_new_flush_start();
    gst_event_set_seqnum(e, seqnum);
    gst_pad_push_event(self->srcpad, e);
    GST_PAD_STREAM_LOCK(self->srcpad); /* the task has stopped on the flush */
  }
  GST_OBJECT_LOCK(self);
  self->pending = seg;
  self->have_pending = TRUE;
  self->pending_seqnum = seqnum;
  GST_OBJECT_UNLOCK(self);
  if (flush) {
    GstEvent* e = gst_event_new_flush_stop(TRUE);
    gst_event_set_seqnum(e, seqnum);
    gst_pad_push_event(self->srcpad, e);
  }
  if (!is_flushing(self)) start_task(self); /* again, if it had stopped at the end */
  if (flush) GST_PAD_STREAM_UNLOCK(self->srcpad);
  return TRUE;
}

/* ---- pads ---- */

static gboolean src_event(GstPad* pad, GstObject* parent, GstEvent* event) {
  GstNervcDec* self = GST_NERVC_DEC(parent);
  if (GST_EVENT_TYPE(event) == GST_EVENT_SEEK) {
    gboolean ok = do_seek(self, event);
    gst_event_unref(event);
    return ok;
  }
  return gst_pad_event_default(pad, parent, event);
}

static gboolean src_query(GstPad* pad, GstObject* parent, GstQuery* query) {
  GstNervcDec* self = GST_NERVC_DEC(parent);
  GST_OBJECT_LOCK(self);
  gboolean have = self->have_info;
  gboolean seekable = self->pull && self->info.seekable;
  NervStreamInfo info = self->info;
  GST_OBJECT_UNLOCK(self);
  GstFormat format;
  switch (GST_QUERY_TYPE(query)) {
    case GST_QUERY_DURATION:
      gst_query_parse_duration(query, &format, NULL);
      if (!have || !info.frames) return FALSE;
      if (format == GST_FORMAT_TIME)
        gst_query_set_duration(query, format, (gint64)frame_time(&info, info.frames));
      else if (format == GST_FORMAT_DEFAULT)
        gst_query_set_duration(query, format, (gint64)info.frames);
      else
        return FALSE;
      return TRUE;
    case GST_QUERY_SEEKING:
      gst_query_parse_seeking(query, &format, NULL, NULL, NULL);
      if (format != GST_FORMAT_TIME) return FALSE;
      gst_query_set_seeking(query, format, have && seekable, 0,
                            have && info.frames ? (gint64)frame_time(&info, info.frames) : -1);
      return TRUE;
    default:
      return gst_pad_query_default(pad, parent, query);
  }
}

static GstFlowReturn sink_chain(GstPad* pad, GstObject* parent, GstBuffer* buf) {
  (void)pad;
  GstNervcDec* self = GST_NERVC_DEC(parent);
  g_mutex_lock(&self->lock);
  while (gst_adapter_available(self->queue) >= MAX_QUEUED && !self->flushing &&
         self->srcresult == GST_FLOW_OK)
    g_cond_wait(&self->cond, &self->lock);
  GstFlowReturn r = self->flushing ? GST_FLOW_FLUSHING : self->srcresult;
  if (r == GST_FLOW_OK) {
    gst_adapter_push(self->queue, buf);
    g_cond_broadcast(&self->cond);
  } else {
    gst_buffer_unref(buf);
  }
  g_mutex_unlock(&self->lock);
  return r;
}

static gboolean sink_event(GstPad* pad, GstObject* parent, GstEvent* event) {
  GstNervcDec* self = GST_NERVC_DEC(parent);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_EOS: /* the task sends EOS when the decoder has read everything */
      g_mutex_lock(&self->lock);
      self->eos = TRUE;
      g_cond_broadcast(&self->cond);
      g_mutex_unlock(&self->lock);
      gst_event_unref(event);
      return TRUE;
    case GST_EVENT_FLUSH_START:
      set_flushing(self, TRUE);
      gst_pad_push_event(self->srcpad, event);
      gst_pad_pause_task(self->srcpad);
      return TRUE;
    case GST_EVENT_FLUSH_STOP: /* new bytes from somewhere else: a new stream */
      GST_PAD_STREAM_LOCK(self->srcpad);
      reset(self);
      set_flushing(self, FALSE);
      gst_pad_push_event(self->srcpad, event);
      start_task(self);
      GST_PAD_STREAM_UNLOCK(self->srcpad);
      return TRUE;
    default:
      /* Serialized events (ours: caps, segment, stream-start come from the stream header)
       * would overtake the frames the task is still decoding: not forwarded. */
      if (GST_EVENT_IS_SERIALIZED(event)) {
        GST_DEBUG_OBJECT(self, "dropping %s from upstream", GST_EVENT_TYPE_NAME(event));
        gst_event_unref(event);
        return TRUE;
      }
      return gst_pad_event_default(pad, parent, event);
  }
}

static gboolean sink_activate(GstPad* pad, GstObject* parent) {
  (void)parent;
  GstQuery* q = gst_query_new_scheduling();
  gboolean pull =
      gst_pad_peer_query(pad, q) &&
      gst_query_has_scheduling_mode_with_flags(q, GST_PAD_MODE_PULL, GST_SCHEDULING_FLAG_SEEKABLE);
  gst_query_unref(q);
  return gst_pad_activate_mode(pad, pull ? GST_PAD_MODE_PULL : GST_PAD_MODE_PUSH, TRUE);
}

static gboolean sink_activate_mode(GstPad* pad, GstObject* parent, GstPadMode mode,
                                   gboolean active) {
  GstNervcDec* self = GST_NERVC_DEC(parent);
  if (!active) {
    set_flushing(self, TRUE);
    gst_pad_stop_task(self->srcpad);
    return TRUE;
  }
  gint64 size = 0;
  if (mode == GST_PAD_MODE_PULL && !gst_pad_peer_query_duration(pad, GST_FORMAT_BYTES, &size))
    size = 0;
  GST_OBJECT_LOCK(self);
  self->pull = mode == GST_PAD_MODE_PULL;
  self->size = size > 0 ? (guint64)size : 0;
  GST_OBJECT_UNLOCK(self);
  reset(self);
  set_flushing(self, FALSE);
  start_task(self);
  return TRUE;
}

/* ---- the element ---- */

static GstStateChangeReturn change_state(GstElement* element, GstStateChange t) {
  GstNervcDec* self = GST_NERVC_DEC(element);
  /* Wake a task waiting for input before the pads deactivate (they take its stream lock). */
  if (t == GST_STATE_CHANGE_PAUSED_TO_READY) set_flushing(self, TRUE);
  GstStateChangeReturn r = GST_ELEMENT_CLASS(gst_nervc_dec_parent_class)->change_state(element, t);
  if (t == GST_STATE_CHANGE_PAUSED_TO_READY) {
    gst_pad_stop_task(self->srcpad);
    GST_PAD_STREAM_LOCK(self->srcpad); /* a seek from another thread may hold it */
    reset(self);
    GST_PAD_STREAM_UNLOCK(self->srcpad);
  }
  return r;
}

static void set_property(GObject* o, guint id, const GValue* v, GParamSpec* spec) {
  GstNervcDec* self = GST_NERVC_DEC(o);
  GST_OBJECT_LOCK(self);
  if (id == PROP_DEVICE) {
    g_free(self->device);
    self->device = g_value_dup_string(v);
  } else if (id == PROP_THREADS) {
    self->threads = g_value_get_int(v);
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(o, id, spec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject* o, guint id, GValue* v, GParamSpec* spec) {
  GstNervcDec* self = GST_NERVC_DEC(o);
  GST_OBJECT_LOCK(self);
  if (id == PROP_DEVICE)
    g_value_set_string(v, self->device);
  else if (id == PROP_THREADS)
    g_value_set_int(v, self->threads);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(o, id, spec);
  GST_OBJECT_UNLOCK(self);
}

static void finalize(GObject* o) {
  GstNervcDec* self = GST_NERVC_DEC(o);
  nerv_decoder_close(self->dec);
  g_object_unref(self->queue);
  g_free(self->device);
  g_mutex_clear(&self->lock);
  g_cond_clear(&self->cond);
  G_OBJECT_CLASS(gst_nervc_dec_parent_class)->finalize(o);
}

static void gst_nervc_dec_class_init(GstNervcDecClass* klass) {
  GObjectClass* oc = G_OBJECT_CLASS(klass);
  GstElementClass* ec = GST_ELEMENT_CLASS(klass);
  oc->set_property = set_property;
  oc->get_property = get_property;
  oc->finalize = finalize;
  g_object_class_install_property(
      oc, PROP_DEVICE,
      g_param_spec_string("device", "Device",
                          "Where frames are reconstructed: auto (a GPU when there is one), cpu, "
                          "cuda, cuda:N",
                          "auto", G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(
      oc, PROP_THREADS,
      g_param_spec_int("threads", "Threads",
                       "Compute threads, process-wide (0: every core, as nervc decode)", 0, 1024, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  ec->change_state = change_state;
  gst_element_class_add_static_pad_template(ec, &sink_template);
  gst_element_class_add_static_pad_template(ec, &src_template);
  gst_element_class_set_static_metadata(ec, "nervc decoder", "Codec/Decoder/Video",
                                        "Decodes nervc (.nerv) neural video streams",
                                        "the nervc developers");
  GST_DEBUG_CATEGORY_INIT(nervcdec_debug, "nervcdec", 0, "nervc decoder");
}

static void gst_nervc_dec_init(GstNervcDec* self) {
  self->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_activate_function(self->sinkpad, sink_activate);
  gst_pad_set_activatemode_function(self->sinkpad, sink_activate_mode);
  gst_pad_set_chain_function(self->sinkpad, sink_chain);
  gst_pad_set_event_function(self->sinkpad, sink_event);
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  gst_pad_set_event_function(self->srcpad, src_event);
  gst_pad_set_query_function(self->srcpad, src_query);
  gst_pad_use_fixed_caps(self->srcpad);
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
  self->device = g_strdup("auto");
  self->queue = gst_adapter_new();
  g_mutex_init(&self->lock);
  g_cond_init(&self->cond);
  gst_segment_init(&self->segment, GST_FORMAT_TIME);
  self->need_header = self->need_segment = TRUE;
  self->srcresult = GST_FLOW_OK;
}
