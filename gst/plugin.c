/* The nervc GStreamer plugin: the nervcdec element and a typefinder for .nerv streams, so that
 * decodebin and playbin pick the element for a .nerv file by itself. */
#include <gst/gst.h>
#include <string.h>

#include "nervcdec.h"

/* A stream header starts with "NERV" and major version 1 (docs/bitstream.md, section 2). */
static void nerv_typefind(GstTypeFind* tf, gpointer caps) {
  const guint8* d = gst_type_find_peek(tf, 0, 5);
  if (d && memcmp(d, "NERV", 4) == 0 && d[4] == 1)
    gst_type_find_suggest(tf, GST_TYPE_FIND_MAXIMUM, caps);
}

static gboolean plugin_init(GstPlugin* plugin) {
  GstCaps* caps = gst_caps_new_empty_simple("video/x-nerv");
  gboolean ok = gst_type_find_register(plugin, "video/x-nerv", GST_RANK_PRIMARY, nerv_typefind,
                                       "nerv", caps, caps, (GDestroyNotify)gst_caps_unref);
  return ok && GST_ELEMENT_REGISTER(nervcdec, plugin);
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, nervc,
                  "nervc neural video: decoder and typefinder", plugin_init, NERVC_VERSION,
                  "Proprietary", "nervc", "https://github.com/nervc")
