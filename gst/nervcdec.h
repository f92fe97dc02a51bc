/* nervcdec: a GStreamer element over libnervc. Sink: a .nerv byte stream (video/x-nerv);
 * src: raw video (I420, GBR for RGB streams, GRAY8) with the stream's frame rate and
 * colorimetry. The decoder runs in the source pad's task and reads its input through
 * libnervc's callbacks: from upstream's pull_range when upstream gives random access (a file:
 * then seeking works), else from the buffers pushed to it (a pipe, a network source). */
#ifndef NERVC_GST_NERVCDEC_H
#define NERVC_GST_NERVCDEC_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_NERVC_DEC (gst_nervc_dec_get_type())
G_DECLARE_FINAL_TYPE(GstNervcDec, gst_nervc_dec, GST, NERVC_DEC, GstElement)

GST_ELEMENT_REGISTER_DECLARE(nervcdec);

G_END_DECLS

#endif /* NERVC_GST_NERVCDEC_H */
