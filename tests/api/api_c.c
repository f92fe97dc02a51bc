/* libnervc from C99, for tests/cli/api.sh:
 *   api_c file|into|memory|callback|io STREAM OUT.raw [SEEK_FRAME]
 * writes every frame's planes (after an optional seek) to OUT.raw, as `nervc decode -f rawvideo`
 * does ("io": read and seek callbacks over the file, so seeking works);
 *   api_c prior STREAM OUT.raw PRIOR
 * the same for a stream coded against a prior: refused until nerv_load_prior(PRIOR);
 *   api_c errors STREAM_DIR
 * checks that bad input gives a status and a one-line message, never a crash;
 *   api_c parallel STREAM
 * decodes STREAM in four threads at once, one decoder each, and checks they agree;
 *   api_c encode IMAGE OUT.nerv EPOCHS
 * encodes with the defaults (preset image for a still image) and reports progress;
 *   api_c cancel IMAGE OUT.nerv
 * cancels an encode from its progress callback. */
#include <nervc/nervc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char* what) {
  fprintf(stderr, "api_c: %s: %s\n", what, nerv_last_error());
  return 1;
}

static size_t read_file(void* opaque, void* buf, size_t n) {
  return fread(buf, 1, n, (FILE*)opaque);
}

static int seek_file(void* opaque, uint64_t offset) {
  return fseek((FILE*)opaque, (long)offset, SEEK_SET);
}

static unsigned char* slurp(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  unsigned char* b;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  b = malloc(*size ? *size : 1);
  if (b && fread(b, 1, *size, f) != *size) {
    free(b);
    b = NULL;
  }
  fclose(f);
  return b;
}

static int errors(const char* dir) {
  char path[4096];
  NervDecoder* d = NULL;
  NervFrame fr;
  NervStatus s;
  if (nerv_decoder_open_file(&d, "/no/such/file.nerv", NULL) != NERV_ERROR || d) return 1;
  if (!strstr(nerv_last_error(), "no such file")) return fail("missing file message");
  if (nerv_decoder_open_file(NULL, "x", NULL) != NERV_INVALID_ARG) return 1;
  if (nerv_decoder_next(NULL, &fr) != NERV_INVALID_ARG) return 1;
  if (nerv_decoder_open_memory(&d, "NERV", 4, NULL) != NERV_ERROR || d) return 1;
  if (strchr(nerv_last_error(), '\n') || !*nerv_last_error()) return fail("one-line message");
  /* A truncated stream: the header reads, the frames end in an error, not a crash. */
  snprintf(path, sizeof path, "%s/truncated.nerv", dir);
  if (nerv_decoder_open_file(&d, path, NULL) != NERV_OK) return fail("truncated stream header");
  while ((s = nerv_decoder_next(d, &fr)) == NERV_OK) {
  }
  nerv_decoder_close(d);
  if (s != NERV_ERROR || !strstr(nerv_last_error(), "truncated")) return fail("truncated stream");
  nerv_decoder_close(NULL);
  printf("errors ok: %s\n", nerv_last_error());
  return 0;
}

struct job {
  const char* path;
  unsigned long long sum; /* a position-weighted checksum of every sample */
  int status;
};

static void* decode_job(void* arg) {
  struct job* j = arg;
  NervDecoder* d = NULL;
  NervFrame fr;
  NervStatus s;
  unsigned long long k = 0;
  int p, y, x;
  j->status = 1;
  if (nerv_decoder_open_file(&d, j->path, NULL) != NERV_OK) return NULL;
  while ((s = nerv_decoder_next(d, &fr)) == NERV_OK)
    for (p = 0; p < fr.planes; ++p)
      for (y = 0; y < fr.plane_height[p]; ++y)
        for (x = 0; x < fr.plane_width[p]; ++x)
          j->sum += ++k * fr.data[p][(size_t)y * fr.stride[p] + (size_t)x];
  nerv_decoder_close(d);
  j->status = s == NERV_END ? 0 : 1;
  return NULL;
}

static int parallel(const char* path) {
  pthread_t t[4];
  struct job j[4];
  int i;
  for (i = 0; i < 4; ++i) {
    j[i].path = path;
    j[i].sum = 0;
    if (pthread_create(&t[i], NULL, decode_job, &j[i]) != 0) return 1;
  }
  for (i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  for (i = 0; i < 4; ++i)
    if (j[i].status != 0 || j[i].sum != j[0].sum) return fail("parallel decoders disagree");
  printf("parallel ok: %llx\n", j[0].sum);
  return 0;
}

static int count_progress(void* opaque, const NervEncodeProgress* p) {
  int* calls = opaque;
  (void)p;
  ++*calls;
  return 0;
}

static int stop_at_third(void* opaque, const NervEncodeProgress* p) {
  int* calls = opaque;
  (void)p;
  return ++*calls >= 3;
}

static int encode(const char* in, const char* out, int epochs, int cancel) {
  NervEncodeSettings s;
  NervEncodeResult r;
  NervStatus st;
  int calls = 0;
  nerv_default_encode_settings(&s);
  s.epochs = epochs;
  s.device = "cpu";
  s.threads = 2;
  s.progress = cancel ? stop_at_third : count_progress;
  s.opaque = &calls;
  st = nerv_encode_file(in, out, &s, &r);
  if (cancel) {
    if (st != NERV_CANCELLED || calls != 3) return fail("cancel");
    printf("cancelled: %s\n", nerv_last_error());
    return 0;
  }
  if (st != NERV_OK) return fail("encode");
  if (calls == 0) return fail("no progress");
  printf("encoded %llu frames, %llu bytes, %.4f bpp, RGB-PSNR %.2f dB, %d progress calls\n",
         (unsigned long long)r.frames, (unsigned long long)r.bytes, r.bpp, r.psnr_rgb, calls);
  return 0;
}

int main(int argc, char** argv) {
  NervDecoderSettings set;
  NervDecoder* d = NULL;
  NervStreamInfo info, probed;
  NervFrame fr;
  NervStatus s;
  FILE *out, *in = NULL;
  unsigned char* mem = NULL;
  size_t size = 0;
  int p, y, rc = 1, into;
  if (argc == 3 && strcmp(argv[1], "errors") == 0) return errors(argv[2]);
  if (argc == 3 && strcmp(argv[1], "parallel") == 0) return parallel(argv[2]);
  if (argc == 5 && strcmp(argv[1], "encode") == 0)
    return encode(argv[2], argv[3], atoi(argv[4]), 0);
  if (argc == 4 && strcmp(argv[1], "cancel") == 0) return encode(argv[2], argv[3], 50, 1);
  if (argc == 5 && strcmp(argv[1], "prior") == 0) {
    if (nerv_decoder_open_file(&d, argv[2], NULL) == NERV_OK ||
        !strstr(nerv_last_error(), "which this decoder lacks"))
      return fail("a stream with an unknown prior opened");
    if (nerv_load_prior("/nonexistent.prior") != NERV_ERROR) return fail("a missing prior loaded");
    if (nerv_load_prior(argv[4]) != NERV_OK) return fail("load prior");
    argv[1] = "file";
    argc = 4;
  }
  if (argc < 4) return 2;
  nerv_default_decoder_settings(&set);
  set.device = "cpu";
  set.threads = 2;
  into = strcmp(argv[1], "into") == 0;
  if (strcmp(argv[1], "file") == 0 || into) {
    s = nerv_decoder_open_file(&d, argv[2], &set);
  } else if (strcmp(argv[1], "memory") == 0) {
    mem = slurp(argv[2], &size);
    if (!mem) return 1;
    s = nerv_decoder_open_memory(&d, mem, size, &set);
    free(mem); /* the decoder keeps its own copy */
  } else if (strcmp(argv[1], "io") == 0) {
    NervIO io;
    in = fopen(argv[2], "rb");
    if (!in) return 1;
    fseek(in, 0, SEEK_END);
    io.read = read_file;
    io.seek = seek_file;
    io.size = (uint64_t)ftell(in);
    io.opaque = in;
    fseek(in, 0, SEEK_SET);
    s = nerv_decoder_open_io(&d, &io, &set);
  } else {
    in = fopen(argv[2], "rb");
    if (!in) return 1;
    s = nerv_decoder_open_callback(&d, read_file, in, &set);
  }
  if (s != NERV_OK) {
    rc = fail("open");
  } else if (nerv_decoder_info(d, &info) != NERV_OK) {
    rc = fail("info");
  } else if (strcmp(argv[1], "file") == 0 &&
             (nerv_probe_file(argv[2], &probed) != NERV_OK || probed.frames != info.frames ||
              probed.width != info.width || probed.pixel_format != info.pixel_format)) {
    rc = fail("probe and decoder disagree");
  } else {
    printf("%dx%d %d/%d fps, %llu frames, pixel format %d, seekable %d\n", info.width, info.height,
           info.fps_num, info.fps_den, (unsigned long long)info.frames, (int)info.pixel_format,
           info.seekable);
    if (argc > 4 && nerv_decoder_seek(d, strtoull(argv[4], NULL, 10)) != NERV_OK) {
      rc = fail("seek");
    } else if ((out = fopen(argv[3], "wb")) != NULL) {
      /* "into": the caller's planes, with strides wider than the rows */
      int st[3] = {info.width + 7, info.width + 7, info.width + 7};
      uint8_t* buf[3];
      for (p = 0; p < 3; ++p) buf[p] = malloc((size_t)st[p] * (size_t)info.height);
      while ((s = into ? nerv_decoder_next_into(d, buf, st, &fr) : nerv_decoder_next(d, &fr)) ==
             NERV_OK)
        for (p = 0; p < fr.planes; ++p)
          for (y = 0; y < fr.plane_height[p]; ++y)
            fwrite(fr.data[p] + (size_t)y * fr.stride[p], 1, (size_t)fr.plane_width[p], out);
      fclose(out);
      for (p = 0; p < 3; ++p) free(buf[p]);
      rc = s == NERV_END ? 0 : fail("decode");
    }
  }
  nerv_decoder_close(d); /* on every path: nothing may leak */
  if (in) fclose(in);
  return rc;
}
