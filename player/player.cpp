#include "player/player.h"

#include <cstdio>
#include <memory>

#include "player/pacer.h"
#include "player/window.h"

namespace nerv {
namespace {

// The intra segment to go to from the frame at `pos`: right, the next one; left, the start of
// the one being played, or the one before it within its first half second (as players do).
// nullptr when there is none.
const IndexEntry* seek_target(const std::vector<IndexEntry>& idx, uint64_t pos, bool forward,
                              double fps) {
  const IndexEntry* current = nullptr;
  for (const IndexEntry& e : idx)
    if (e.first_frame <= pos) current = &e;
  if (forward) {
    for (const IndexEntry& e : idx)
      if (e.first_frame > pos) return &e;
    return nullptr;
  }
  if (current && double(pos - current->first_frame) >= fps / 2) return current;
  const IndexEntry* prev = nullptr;
  for (const IndexEntry& e : idx)
    if (current && e.first_frame < current->first_frame) prev = &e;
  return prev ? prev : current;
}

}  // namespace

std::string format_play_status(const PlayStats& s, double position_s) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%.2f s  decode %.1f fps  shown %llu  dropped %llu  %.0f kbps",
                position_s, s.decode_fps, (unsigned long long)s.shown,
                (unsigned long long)s.dropped, s.kbps);
  return buf;
}

PlayStats play(const std::string& input, const PlayOptions& opt) {
  SteadyClock steady;
  Clock& clock = opt.clock ? *opt.clock : steady;
  PlayStats st;
  double t_open = clock.now();
  auto pipe = std::make_unique<DecodePipeline>(input, opt.decode);
  const StreamHeader& h = pipe->header();
  double fps = h.fps.valid() ? h.fps.value() : 25.0;

  std::unique_ptr<VideoWriter> writer;
  if (!opt.output.empty()) writer = open_video_writer(opt.output, h.video_info(), opt.write);
  std::unique_ptr<Window> window;
  if (opt.display) window = open_window(opt.title, h.width, h.height);
  bool paced = window || opt.realtime || !writer;
  Pacer pacer(clock, fps, window != nullptr);  // only a display may skip late frames

  uint64_t segment_bytes = 0;  // chunks of the frames taken
  auto update = [&] {
    st.decode_fps =
        pipe->decode_seconds() > 0 ? pipe->frames_decoded() / pipe->decode_seconds() : 0;
    st.kbps = st.frames ? segment_bytes * 8.0 / 1000.0 / (st.frames / fps) : 0;
    st.shown = paced ? pacer.shown() : st.frames;
    st.dropped = pacer.dropped();
  };
  double last_status = t_open;
  uint64_t pos = 0;  // index of the last frame taken
  DecodedFrame d;
  try {
    for (;;) {
      if (window) {
        Window::Key k = window->poll(1);
        if (k == Window::Key::Pause) {
          pacer.pause();
          while ((k = window->poll(50)) == Window::Key::None) {
          }
          pacer.resume();
        }
        if (k == Window::Key::Quit) {
          st.quit = true;
          break;
        }
        if ((k == Window::Key::Prev || k == Window::Key::Next) && pipe->seekable()) {
          if (const IndexEntry* e =
                  seek_target(pipe->intra_segments(), pos, k == Window::Key::Next, fps)) {
            pipe->seek(*e);
            pacer.restart();
            ++st.seeks;
          }
        }
      }
      if (!pipe->next(d)) {
        if (!opt.loop || !pipe->seekable() || pipe->intra_segments().empty()) break;
        pipe->seek(pipe->intra_segments().front());
        pacer.restart();
        continue;
      }
      ++st.frames;
      segment_bytes += d.chunk_bytes;
      // Frames skipped over (--skip-errors) are not waited for: a new pacing run starts.
      if (st.frames > 1 && uint64_t(d.frame.index) > pos + 1) pacer.restart();
      pos = uint64_t(d.frame.index);
      Pacer::Action a = paced ? pacer.wait(pos, pipe->frame_ready()) : Pacer::Action::Show;
      if (writer) {
        writer->write(d.frame);
        ++st.written;
      }
      if (window && a == Pacer::Action::Show) {
        update();
        window->show(d.frame, format_play_status(st, pos / fps));
      }
      if (st.frames == 1) st.first_frame_s = clock.now() - t_open;
      if (opt.on_status && clock.now() - last_status >= 1.0) {
        last_status = clock.now();
        update();
        opt.on_status(format_play_status(st, pos / fps));
      }
    }
  } catch (const std::exception& e) {
    st.error = e.what();  // what was decoded before it has been played
  }
  update();
  // Keep what was played, even when the stream was cut off; a failing output is reported
  // unless an earlier error already was.
  if (writer) {
    try {
      writer->close();
    } catch (const std::exception& e) {
      if (st.error.empty()) st.error = e.what();
    }
  }
  st.seconds = clock.now() - t_open;
  st.seekable = pipe->seekable();
  return st;
}

}  // namespace nerv
