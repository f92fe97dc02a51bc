/* nervcdec through GStreamer's API, for tests/cli/gst.sh:
 *   gst_seek STREAM FRAME OUT.raw [flush|nonflush|segment]
 * prerolls `filesrc ! nervcdec ! fakesink`, checks the duration and seeking queries, seeks in
 * time to FRAME (flushing; or not flushing, from PAUSED: the prerolled frame then plays first;
 * or a flushing segment seek, which ends with SEGMENT_DONE instead of EOS), plays to the end
 * and writes every frame it renders to OUT.raw (rows without padding). It prints the first
 * rendered frame's number and timestamp. */
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE* out;
static GstClockTime first_pts = GST_CLOCK_TIME_NONE;
static guint64 first_offset;
static int rendered;

static void handoff(GstElement* sink, GstBuffer* buf, GstPad* pad, gpointer data) {
  (void)sink;
  (void)data;
  GstVideoInfo info;
  GstVideoFrame f;
  GstCaps* caps = gst_pad_get_current_caps(pad);
  gst_video_info_from_caps(&info, caps);
  gst_caps_unref(caps);
  if (!gst_video_frame_map(&f, &info, buf, GST_MAP_READ)) return;
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&f); ++p)
    for (guint y = 0; y < (guint)GST_VIDEO_FRAME_COMP_HEIGHT(&f, p); ++y)
      fwrite((guint8*)GST_VIDEO_FRAME_PLANE_DATA(&f, p) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&f, p),
             1, (size_t)GST_VIDEO_FRAME_COMP_WIDTH(&f, p) * GST_VIDEO_FRAME_COMP_PSTRIDE(&f, p),
             out);
  gst_video_frame_unmap(&f);
  if (rendered++ == 0) {
    first_pts = GST_BUFFER_PTS(buf);
    first_offset = GST_BUFFER_OFFSET(buf);
  }
}

/* Waits for the end (or an error) on the bus: 0 for `end`. */
static int wait_end(GstElement* pipe, GstMessageType end) {
  GstBus* bus = gst_element_get_bus(pipe);
  GstMessage* m = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND, end | GST_MESSAGE_ERROR);
  int rc = !m || GST_MESSAGE_TYPE(m) != end;
  if (m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError* e = NULL;
    gst_message_parse_error(m, &e, NULL);
    fprintf(stderr, "gst_seek: %s\n", e->message);
    g_error_free(e);
  }
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  return rc;
}

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  if (argc != 4 && argc != 5) return 2;
  const char* mode = argc == 5 ? argv[4] : "flush";
  GstSeekFlags flags = strcmp(mode, "nonflush") == 0 ? GST_SEEK_FLAG_ACCURATE
                       : strcmp(mode, "segment") == 0
                           ? GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE | GST_SEEK_FLAG_SEGMENT
                           : GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE;
  gchar* desc = g_strdup_printf(
      "filesrc location=\"%s\" ! nervcdec name=dec device=cpu ! fakesink name=sink "
      "signal-handoffs=true sync=false",
      argv[1]);
  GError* err = NULL;
  GstElement* pipe = gst_parse_launch(desc, &err);
  g_free(desc);
  if (!pipe) {
    fprintf(stderr, "gst_seek: %s\n", err->message);
    return 1;
  }
  out = fopen(argv[3], "wb");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  g_signal_connect(sink, "handoff", G_CALLBACK(handoff), NULL);
  int rc = 1;
  if (gst_element_set_state(pipe, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE ||
      gst_element_get_state(pipe, NULL, NULL, 60 * GST_SECOND) != GST_STATE_CHANGE_SUCCESS) {
    fprintf(stderr, "gst_seek: no preroll\n");
    goto done;
  }
  gint64 duration = -1, frames = -1;
  gboolean seekable = FALSE;
  GstQuery* q = gst_query_new_seeking(GST_FORMAT_TIME);
  if (gst_element_query(pipe, q)) gst_query_parse_seeking(q, NULL, &seekable, NULL, NULL);
  gst_query_unref(q);
  gst_element_query_duration(pipe, GST_FORMAT_TIME, &duration);
  GstElement* dec = gst_bin_get_by_name(GST_BIN(pipe), "dec");
  gst_element_query_duration(dec, GST_FORMAT_DEFAULT, &frames);
  gst_object_unref(dec);
  printf("duration %" G_GINT64_FORMAT " ns, %" G_GINT64_FORMAT " frames, seekable %d\n", duration,
         frames, seekable);
  if (!seekable || frames <= 0) goto done;
  /* The middle of the frame: a time maps to the frame shown then. */
  gint64 at = gst_util_uint64_scale(duration, 2 * (guint64)atoi(argv[2]) + 1, 2 * (guint64)frames);
  if (!gst_element_seek_simple(pipe, GST_FORMAT_TIME, flags, at)) {
    fprintf(stderr, "gst_seek: seek refused\n");
    goto done;
  }
  gst_element_get_state(pipe, NULL, NULL, 60 * GST_SECOND);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  rc = wait_end(pipe, flags & GST_SEEK_FLAG_SEGMENT ? GST_MESSAGE_SEGMENT_DONE : GST_MESSAGE_EOS);
  printf("first frame %" G_GUINT64_FORMAT " at %" G_GUINT64_FORMAT " ns, %d frames\n", first_offset,
         first_pts, rendered);
done:
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  fclose(out);
  return rc;
}
