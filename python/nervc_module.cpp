// `import nervc`: the C API of include/nervc/nervc.h for Python, frames as NumPy arrays.
// Errors raise RuntimeError with the library's one-line message.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <optional>
#include <string>

#include "nervc/nervc.h"

namespace py = pybind11;

namespace {

void check(NervStatus s) {
  if (s == NERV_OK || s == NERV_END) return;
  throw std::runtime_error(nerv_last_error());
}

const char* pixel_format_name(NervPixelFormat f) {
  return f == NERV_PIX_RGB ? "rgb" : f == NERV_PIX_GRAY ? "gray" : "yuv420p";
}

py::dict info_dict(const NervStreamInfo& i) {
  py::dict d;
  d["width"] = i.width;
  d["height"] = i.height;
  d["fps"] = py::make_tuple(i.fps_num, i.fps_den);
  d["frames"] = i.frames;
  d["pixel_format"] = pixel_format_name(i.pixel_format);
  d["matrix"] = i.bt709 ? "bt709" : "bt601";
  d["range"] = i.full_range ? "full" : "limited";
  d["segment_frames"] = i.segment_frames;
  d["seekable"] = bool(i.seekable);
  return d;
}

// One plane copied out of the decoder's borrowed frame.
py::array_t<uint8_t> plane(const NervFrame& f, int p) {
  py::array_t<uint8_t> a({f.plane_height[p], f.plane_width[p]});
  for (int y = 0; y < f.plane_height[p]; ++y)
    std::memcpy(a.mutable_data(y, 0), f.data[p] + size_t(y) * f.stride[p],
                size_t(f.plane_width[p]));
  return a;
}

class Decoder {
 public:
  Decoder(const std::string& path, const std::string& device, int threads, bool rgb) : rgb_(rgb) {
    NervDecoderSettings s;
    nerv_default_decoder_settings(&s);
    s.device = device.c_str();
    s.threads = threads;
    s.rgb = rgb;
    check(nerv_decoder_open_file(&d_, path.c_str(), &s));
    check(nerv_decoder_info(d_, &info_));
  }
  ~Decoder() { nerv_decoder_close(d_); }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  py::dict info() const { return info_dict(info_); }
  void seek(uint64_t frame) { check(nerv_decoder_seek(d_, frame)); }
  void close() {
    nerv_decoder_close(d_);
    d_ = nullptr;
  }

  // The next frame: an [H, W, 3] RGB array (rgb=True), else a tuple of planes (Y, U, V; or
  // R, G, B; or the grey plane alone); None at the end.
  py::object next() {
    if (!d_) throw std::runtime_error("the decoder is closed");
    NervFrame f;
    NervStatus s;
    {
      py::gil_scoped_release release;
      s = nerv_decoder_next(d_, &f);
    }
    if (s == NERV_END) return py::none();
    check(s);
    if (rgb_) {
      py::array_t<uint8_t> a({f.height, f.width, 3});
      auto m = a.mutable_unchecked<3>();
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < f.height; ++y)
          for (int x = 0; x < f.width; ++x) m(y, x, c) = f.data[c][size_t(y) * f.stride[c] + x];
      return std::move(a);
    }
    py::tuple t(f.planes);
    for (int p = 0; p < f.planes; ++p) t[p] = plane(f, p);
    return std::move(t);
  }

 private:
  NervDecoder* d_ = nullptr;
  NervStreamInfo info_{};
  bool rgb_;
};

}  // namespace

PYBIND11_MODULE(nervc, m) {
  m.doc() = "nervc: decode and encode .nerv neural video and image streams";
  m.attr("__version__") = nerv_version();

  m.def(
      "info",
      [](const std::string& path) {
        NervStreamInfo i;
        check(nerv_probe_file(path.c_str(), &i));
        return info_dict(i);
      },
      py::arg("path"), "The stream header: size, fps, frames, pixel format, ...");

  py::class_<Decoder>(m, "Decoder", "Frames of a .nerv stream, one at a time")
      .def(py::init<const std::string&, const std::string&, int, bool>(), py::arg("path"),
           py::arg("device") = "auto", py::arg("threads") = 0, py::arg("rgb") = false)
      .def_property_readonly("info", &Decoder::info)
      .def("seek", &Decoder::seek, py::arg("frame"),
           "Continue at this frame (from the intra segment at or before it)")
      .def("read", &Decoder::next, "The next frame, or None at the end")
      .def("close", &Decoder::close)
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__",
           [](Decoder& d) {
             py::object f = d.next();
             if (f.is_none()) throw py::stop_iteration();
             return f;
           })
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](Decoder& d, py::args) { d.close(); });

  m.def(
      "decode",
      [](const std::string& path, const std::string& device, int threads, uint64_t start,
         std::optional<uint64_t> frames, bool rgb) {
        Decoder d(path, device, threads, rgb);
        if (start > 0) d.seek(start);
        py::list out;
        while (!frames || py::len(out) < *frames) {
          py::object f = d.next();
          if (f.is_none()) break;
          out.append(f);
        }
        if (!rgb) return py::object(out);
        py::module_ np = py::module_::import("numpy");
        if (py::len(out) == 0) return np.attr("zeros")(py::make_tuple(0, 0, 0, 3), "uint8");
        return np.attr("stack")(out);
      },
      py::arg("path"), py::arg("device") = "auto", py::arg("threads") = 0, py::arg("start") = 0,
      py::arg("frames") = py::none(), py::arg("rgb") = false,
      "Decode frames: a list of plane tuples, or with rgb=True one [N, H, W, 3] uint8 array");

  m.def(
      "encode",
      [](const std::string& input, const std::string& output, std::optional<std::string> preset,
         std::optional<std::string> config, double lam, int epochs, uint64_t seed,
         const std::string& device, int threads, std::function<bool(py::dict)> progress) {
        NervEncodeSettings s;
        nerv_default_encode_settings(&s);
        if (preset) s.preset = preset->c_str();
        if (config) s.config_path = config->c_str();
        s.lambda = lam;
        s.epochs = epochs;
        s.seed = seed;
        s.device = device.c_str();
        s.threads = threads;
        struct Ctx {
          std::function<bool(py::dict)>* cb;
          std::optional<py::error_already_set> error;
        } ctx{progress ? &progress : nullptr, std::nullopt};
        if (progress) {
          s.opaque = &ctx;
          s.progress = [](void* opaque, const NervEncodeProgress* p) -> int {
            auto* c = static_cast<Ctx*>(opaque);
            py::gil_scoped_acquire gil;
            py::dict d;
            d["segment"] = p->segment;
            d["segments"] = p->segments;
            d["phase"] = p->phase;
            d["step"] = p->step;
            d["steps"] = p->steps;
            d["psnr"] = p->psnr;
            try {
              return (*c->cb)(d) ? 1 : 0;  // a true result cancels
            } catch (py::error_already_set& e) {
              c->error = std::move(e);
              return 1;
            }
          };
        }
        NervEncodeResult r{};
        NervStatus st;
        {
          py::gil_scoped_release release;
          st = nerv_encode_file(input.c_str(), output.c_str(), &s, &r);
        }
        if (ctx.error) throw std::move(*ctx.error);  // the callback's own exception
        if (st == NERV_CANCELLED) throw std::runtime_error("cancelled");
        check(st);
        py::dict d;
        d["frames"] = r.frames;
        d["bytes"] = r.bytes;
        d["bpp"] = r.bpp;
        d["seconds"] = r.seconds;
        d["psnr_yuv"] = r.psnr_yuv;
        d["psnr_rgb"] = r.psnr_rgb;
        return d;
      },
      py::arg("input"), py::arg("output"), py::arg("preset") = py::none(),
      py::arg("config") = py::none(), py::arg("lam") = 0.0, py::arg("epochs") = 0,
      py::arg("seed") = 0, py::arg("device") = "auto", py::arg("threads") = 0,
      py::arg("progress") = nullptr,
      "Encode a video or still image; progress(dict) returning True cancels");
}
