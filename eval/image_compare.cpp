#include "eval/image_compare.h"

#include <dirent.h>
#include <sys/stat.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "base/error.h"
#include "codec/decoder.h"
#include "codec/encoder.h"
#include "codec/family.h"
#include "eval/bd_table.h"
#include "eval/compare_common.h"
#include "eval/csv.h"
#include "eval/image_anchor.h"
#include "eval/rd_plot.h"
#include "eval/report_html.h"
#include "io/elementary.h"
#include "io/memory_reader.h"
#include "io/metrics.h"
#include "io/temp_output.h"
#include "io/video_writer.h"

namespace nerv {
namespace fs = std::filesystem;

const std::vector<double> kDefaultImageLambdas = {0.02, 0.006, 0.002, 0.0006};

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

constexpr int kCrop = 192;  // side of the centre crops the report shows

struct Image {
  std::string name;  // file name without extension
  Frame rgb;
};

struct PlannedPoint {
  size_t image = 0;
  const ImageAnchor* anchor = nullptr;  // null: a nervc point
  std::string q;                        // anchor ladder value
  const LadderPreset* preset = nullptr;
  RdPoint rd;
};

bool image_extension(const std::string& path) {
  std::string e = fs::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* x :
       {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pnm", ".pam"})
    if (e == x) return true;
  return false;
}

Image load_image(const std::string& path) {
  auto reader = open_video_reader(path, {});
  if (!is_still_image(reader->info())) throw Error(path + ": not a still image");
  reader->set_out_fmt(PixFmt::RGBP);
  Image im;
  im.name = fs::path(path).stem().string();
  if (!reader->read(im.rgb)) throw Error(path + ": no image in the file");
  return im;
}

Frame centre_crop(const Frame& f) {
  int w = std::min(kCrop, f.width), h = std::min(kCrop, f.height);
  int x0 = (f.width - w) / 2, y0 = (f.height - h) / 2;
  Frame c;
  c.resize(w, h, PixFmt::RGBP);
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < h; ++y)
      std::copy_n(f.planes[size_t(p)].begin() + (size_t(y0 + y) * f.width + x0), w,
                  c.planes[size_t(p)].begin() + size_t(y) * w);
  return c;
}

void write_png(const std::string& path, const Frame& f) {
  VideoInfo vi;
  vi.width = f.width;
  vi.height = f.height;
  vi.fmt = PixFmt::RGBP;
  auto w = open_video_writer(path, vi, {});
  w->write(f);
  w->close();
}

void score(RdPoint& p, const Frame& src, const Frame& decoded) {
  MetricsAccumulator acc;
  acc.add(src, decoded);
  MetricsSummary m = acc.summary();
  p.psnr_rgb = m.mean.psnr_rgb;
  p.psnr_yuv = m.mean.psnr_yuv;
  p.psnr_y = m.mean.psnr_y;
  p.msssim = m.mean.ssim;
  p.ssim_kind = m.ssim_kind;
  p.bpp = p.bytes * 8.0 / (double(p.width) * p.height);
  p.kbps = p.bytes * 8.0 / 1000.0;
  p.decode_fps = p.decode_s > 0 ? 1.0 / p.decode_s : 0;
}

Frame run_nervc_point(RdPoint& p, const Image& im, const LadderPreset& preset,
                      const ImageCompareOptions& opt, const std::string& stream_path,
                      const std::function<void(const EncodeEvent&)>& on_encode) {
  EncodeOptions eo;
  eo.cfg = preset.cfg;
  eo.seed = opt.seed;
  eo.device = opt.device;
  eo.expected_frames = 1;
  eo.resume = opt.resume;
  VideoInfo info;
  info.width = im.rgb.width;
  info.height = im.rgb.height;
  info.fps = {1, 1};
  std::vector<Frame> frames{im.rgb};
  MemoryReader reader(frames, info);
  EncodeReport r = encode_video(reader, stream_path, eo, on_encode);
  p.encode_s = r.seconds;
  p.bytes = uint64_t(fs::file_size(stream_path));  // the whole file, headers included
  DecodeOptions dopt;
  dopt.device = opt.device;
  dopt.dtype = opt.device.is_cuda() ? torch::kHalf : torch::kFloat;
  Frame decoded;
  auto t0 = Clock::now();
  decode_stream(
      stream_path, dopt, [](const StreamHeader&) {}, [&](const Frame& f) { decoded = f; });
  p.decode_s = since(t0);
  return decoded;
}

}  // namespace

std::vector<std::string> image_files(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const std::string& in : inputs) {
    struct stat st {};
    if (stat(in.c_str(), &st) != 0) throw Error(in + ": no such file");
    if (!S_ISDIR(st.st_mode)) {
      out.push_back(in);
      continue;
    }
    // POSIX, not std::filesystem's iterators (see tests/test_util.h on libtorch's symbols).
    std::vector<std::string> found;
    DIR* d = opendir(in.c_str());
    if (!d) throw Error(in + ": cannot list the folder");
    while (const dirent* e = readdir(d)) {
      std::string p = (fs::path(in) / e->d_name).string();
      if (e->d_name[0] != '.' && image_extension(p)) found.push_back(p);
    }
    closedir(d);
    if (found.empty()) throw Error(in + ": no image files (png, jpg, bmp, tif, webp, ppm, pgm)");
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  if (out.empty()) throw Error("compare --images needs at least one image");
  return out;
}

std::vector<RdPoint> run_image_compare(const ImageCompareOptions& opt,
                                       const std::function<void(const CompareEvent&)>& on_event) {
  // Everything that can be wrong with the options is found before hours of work start.
  std::vector<const ImageAnchor*> anchors;
  if (opt.anchors.empty())
    for (const ImageAnchor& a : image_anchors()) anchors.push_back(&a);
  for (const std::string& n : opt.anchors) anchors.push_back(&find_image_anchor(n));
  if (opt.presets.empty()) throw Error("compare needs at least one nervc preset (--presets)");
  std::vector<double> lambdas = opt.lambdas.empty() ? kDefaultImageLambdas : opt.lambdas;
  for (double l : lambdas)
    if (!(l > 0 && l <= 10))
      throw Error("lambda " + std::to_string(l) + " is out of range (0, 10]");
  std::vector<LadderPreset> presets;
  for (const std::string& p : opt.presets)
    for (LadderPreset& q : load_ladder_entry(p, opt.epochs, lambdas)) {
      if (!family_has_rate_term(q.cfg))
        throw Error("preset '" + q.label + "' codes video only: images need a grid preset");
      presets.push_back(q);
    }
  std::vector<std::string> files = image_files(opt.inputs);
  std::string gnuplot = gnuplot_version();

  fs::path dir(opt.out_dir);
  const std::string json_path = (dir / "results.json").string();
  std::string resume_key = "images epochs=" + std::to_string(opt.epochs) +
                           " seed=" + std::to_string(opt.seed) + " device=" + opt.device.str();
  for (const std::string& f : files) resume_key += " " + f;
  for (const ImageAnchor* a : anchors) resume_key += " " + a->name + ":" + a->describe();
  for (const LadderPreset& p : presets)
    resume_key += " " + p.label + ":" + config_fingerprint(p.cfg);
  std::map<std::string, RdPoint> done = finished_points(opt.out_dir, opt.resume, resume_key);

  std::vector<Image> images;
  std::set<std::string> names;
  for (const std::string& f : files) {
    Image im = load_image(f);
    std::string base = im.name;
    for (int k = 2; names.count(im.name); ++k) im.name = base + "_" + std::to_string(k);
    names.insert(im.name);
    CompareEvent e{CompareEvent::Loaded};
    e.message = f + ": " + std::to_string(im.rgb.width) + "x" + std::to_string(im.rgb.height) +
                " as '" + im.name + "'";
    on_event(e);
    images.push_back(std::move(im));
  }
  fs::create_directories(dir / "streams");
  fs::create_directories(dir / "crops");

  std::vector<PlannedPoint> plan;
  for (size_t i = 0; i < images.size(); ++i) {
    for (const ImageAnchor* a : anchors)
      for (const std::string& q : a->ladder) {
        PlannedPoint pp;
        pp.image = i;
        pp.anchor = a;
        pp.q = q;
        pp.rd.codec = a->name;
        pp.rd.setting = a->unit + q;
        plan.push_back(pp);
      }
    for (const LadderPreset& p : presets) {
      PlannedPoint pp;
      pp.image = i;
      pp.preset = &p;
      pp.rd.codec = "nervc";
      pp.rd.setting = p.label;
      plan.push_back(pp);
    }
  }
  for (PlannedPoint& pp : plan) {
    const Frame& f = images[pp.image].rgb;
    pp.rd.sequence = images[pp.image].name;
    pp.rd.width = f.width;
    pp.rd.height = f.height;
    pp.rd.frames = 1;
    pp.rd.fps = 1;
  }
  {
    std::vector<std::string> keys;
    for (const PlannedPoint& pp : plan) keys.push_back(pp.rd.key());
    start_results_csv(opt.out_dir, keys, done);
  }
  for (const Image& im : images)
    write_png((dir / "crops" / (im.name + ".source.png")).string(), centre_crop(im.rgb));

  nlohmann::json anchor_settings = nlohmann::json::array();
  for (const ImageAnchor* a : anchors)
    anchor_settings.push_back({{"name", a->name},
                               {"library", a->library},
                               {"ladder", a->ladder},
                               {"unit", a->unit},
                               {"command", a->describe()}});
  nlohmann::json settings = {
      {"anchors", anchor_settings},
      {"nervc",
       {{"presets", opt.presets},
        {"lambdas", lambdas},
        {"epochs_override", opt.epochs},
        {"seed", opt.seed},
        {"device", opt.device.str()},
        {"description",
         "RGB 4:4:4 (pixel format 1); rate: the whole .nerv file, headers "
         "included"}}},
      {"rate", "bits per pixel = bytes * 8 / (width * height), per image"},
      {"quality",
       "every codec's decoded 8-bit RGB scored by nervc's metrics against the source: "
       "RGB-PSNR over R, G, B; MS-SSIM the mean of R's, G's and B's; BD-rate per image, "
       "averaged over the images"}};
  nlohmann::json versions = {
      {"nervc", opt.nervc_version},
      {"ffmpeg", ffmpeg_version()},
      {"libtorch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                       "." + std::to_string(TORCH_VERSION_PATCH)},
      {"gnuplot", gnuplot}};
  for (const auto& [k, v] : image_anchor_versions()) versions[k] = v;
  nlohmann::json machine = machine_json(opt.device);

  std::vector<RdPoint> points;
  auto write_json = [&] {
    nlohmann::json j = {{"tool", "nervc compare --images"},
                        {"created", now_iso()},
                        {"resume_key", resume_key},
                        {"settings", settings},
                        {"versions", versions},
                        {"machine", machine}};
    j["points"] = nlohmann::json::array();
    for (const RdPoint& p : points) j["points"].push_back(to_json(p));
    j["bd"] = nlohmann::json::array();
    for (const ImageAnchor* a : anchors)
      for (const BdEntry& e : bd_entries(points, a->name, "nervc", kImageBdMetrics)) {
        nlohmann::json x = to_json(e);
        x["anchor"] = a->name;
        j["bd"].push_back(x);
      }
    write_file(json_path, j.dump(2) + "\n");
    return j;
  };

  for (size_t i = 0; i < plan.size(); ++i) {
    PlannedPoint& pp = plan[i];
    CompareEvent e = CompareEvent::about(CompareEvent::PointStart, i, plan.size(), &pp.rd);
    auto it = done.find(pp.rd.key());
    if (it != done.end()) {
      points.push_back(it->second);
      e.kind = CompareEvent::Skipped;
      e.rd = &points.back();
      on_event(e);
      continue;
    }
    e.train = pp.preset ? &pp.preset->cfg.train : nullptr;
    on_event(e);
    const Image& im = images[pp.image];
    std::string stem = im.name + "." + pp.rd.codec + "." + pp.rd.setting;
    try {
      Frame decoded;
      if (pp.preset) {
        decoded = run_nervc_point(
            pp.rd, im, *pp.preset, opt, (dir / "streams" / (stem + ".nerv")).string(),
            [&](const EncodeEvent& ev) {
              CompareEvent ce = CompareEvent::about(CompareEvent::Encode, i, plan.size(), &pp.rd);
              ce.encode = &ev;
              on_event(ce);
            });
      } else {
        ImageAnchorResult r = run_image_anchor(*pp.anchor, pp.q, im.rgb);
        pp.rd.bytes = r.bytes.size();
        pp.rd.encode_s = r.encode_s;
        pp.rd.decode_s = r.decode_s;
        write_file((dir / "streams" / (stem + "." + r.extension)).string(),
                   std::string(r.bytes.begin(), r.bytes.end()));
        decoded = std::move(r.decoded);
      }
      score(pp.rd, im.rgb, decoded);
      write_png((dir / "crops" / (stem + ".png")).string(), centre_crop(decoded));
    } catch (const std::exception& ex) {
      pp.rd.status = std::string("failed: ") + ex.what();
    }
    points.push_back(pp.rd);
    append_result(opt.out_dir, pp.rd);
    write_json();
    CompareEvent d = CompareEvent::about(CompareEvent::PointDone, i, plan.size(), &points.back());
    on_event(d);
  }

  nlohmann::json results = write_json();
  std::vector<std::pair<std::string, std::string>> plots;
  for (const Image& im : images) {
    std::vector<RdSeries> series;
    std::vector<std::string> codecs;
    for (const ImageAnchor* a : anchors) codecs.push_back(a->name);
    codecs.push_back("nervc");
    for (const std::string& c : codecs) {
      RdSeries s{c, {}};
      for (const RdPoint& p : points)
        if (p.sequence == im.name && p.codec == c && p.ok()) s.points.push_back(&p);
      if (!s.points.empty()) series.push_back(s);
    }
    if (series.empty()) continue;
    std::string png = (dir / ("rd_" + im.name + ".png")).string();
    try {
      plot_rd(png,
              im.name + ": " + std::to_string(im.rgb.width) + "x" + std::to_string(im.rgb.height) +
                  ", RGB",
              series, true);
      plots.emplace_back(im.name, png);
    } catch (const Error& e) {  // the numbers are in; a missing picture is not worth losing them
      CompareEvent w{CompareEvent::Warning};
      w.message = e.what();
      on_event(w);
    }
  }
  write_image_report_html((dir / "report.html").string(), results, plots, (dir / "crops").string());
  CompareEvent f{CompareEvent::Finished};
  f.message = opt.out_dir;
  on_event(f);
  return points;
}

}  // namespace nerv
