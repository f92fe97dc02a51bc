#include "eval/compare.h"

#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "base/error.h"
#include "codec/decoder.h"
#include "codec/family.h"
#include "codec/prior_registry.h"
#include "eval/bd_table.h"
#include "eval/compare_common.h"
#include "eval/rd_plot.h"
#include "eval/report_html.h"
#include "io/elementary.h"
#include "io/memory_reader.h"
#include "io/metrics.h"
#include "io/temp_output.h"
#include "models/model.h"

namespace nerv {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Sequence {
  std::string name;
  VideoInfo info;
  std::vector<Frame> frames;
};

using Preset = LadderPreset;

struct PlannedPoint {
  size_t seq = 0;
  bool nervc = false;
  int qp = 0;            // anchor points
  const Preset* preset;  // nervc points
  double units = 0;      // nervc fitting work, for the ETA
  RdPoint rd;
};

std::string sequence_name(const std::string& input) {
  if (input == "-") return "stdin";
  std::string stem = fs::path(input).stem().string();
  return stem.empty() ? "input" : stem;
}

Sequence load_sequence(const std::string& input, const ReadOptions& ro) {
  Sequence s;
  auto reader = open_video_reader(input, ro);
  s.info = reader->info();
  Frame f;
  while (reader->read(f)) s.frames.push_back(f);
  if (s.frames.empty()) throw Error(input + ": no frames to compare");
  if (ro.max_frames > 0 && int64_t(s.frames.size()) < ro.max_frames)
    throw Error(input + ": has " + std::to_string(s.frames.size()) + " frames, fewer than the " +
                std::to_string(ro.max_frames) + " asked for (--frames)");
  return s;
}

// Fitting work of one nervc point: frames times epochs times decoder MACs, summed over segments.
double fitting_units(const CodecConfig& c, const Sequence& s) {
  double macs = decoder_macs_per_pixel(c, s.info.width, s.info.height);
  size_t n = s.frames.size(), seg = size_t(c.segment_frames);
  double units = 0;
  for (size_t first = 0, k = 0; first < n; first += seg, ++k) {
    size_t frames = std::min(seg, n - first);
    int epochs = (k == 0 ? c.train.epochs : c.train.warm_epochs) + c.train.qat_epochs;
    units += double(frames) * epochs;
  }
  return units * macs * s.info.width * s.info.height;
}

void fill_common(RdPoint& p, const Sequence& s) {
  p.width = s.frames.front().width;
  p.height = s.frames.front().height;
  p.frames = int64_t(s.frames.size());
  p.fps = s.info.fps.valid() ? s.info.fps.value() : 25.0;
}

void score(RdPoint& p, const Sequence& s, const std::vector<Frame>& decoded) {
  if (decoded.size() != s.frames.size())
    throw Error("decoded " + std::to_string(decoded.size()) + " frames of " +
                std::to_string(s.frames.size()));
  MetricsAccumulator acc;
  for (size_t i = 0; i < decoded.size(); ++i) acc.add(s.frames[i], decoded[i]);
  MetricsSummary m = acc.summary();
  p.psnr_yuv = m.mean.psnr_yuv;
  p.psnr_y = m.mean.psnr_y;
  p.psnr_rgb = m.mean.psnr_rgb;
  p.msssim = m.mean.ssim;
  p.ssim_kind = m.ssim_kind;
  double pixels = double(p.frames) * p.width * p.height;
  p.bpp = p.bytes * 8.0 / pixels;
  p.kbps = p.bytes * 8.0 / 1000.0 / (p.frames / p.fps);
  p.decode_fps = p.decode_s > 0 ? p.frames / p.decode_s : 0;
}

void run_anchor_point(RdPoint& p, const Sequence& s, const Anchor& a, int qp,
                      const AnchorSettings& as, const std::string& stream_path) {
  ElementaryOptions eo;
  eo.encoder = a.encoder;
  eo.options = a.options(qp, as);
  eo.fps = s.info.fps.valid() ? s.info.fps : Rational{25, 1};
  auto t0 = Clock::now();
  ElementaryStream es = encode_elementary(s.frames, eo);
  p.encode_s = since(t0);
  p.bytes = es.total_bytes();
  write_file(stream_path, std::string(es.extradata.begin(), es.extradata.end()) +
                              std::string(es.bytes.begin(), es.bytes.end()));
  std::vector<Frame> decoded;
  decoded.reserve(s.frames.size());
  t0 = Clock::now();
  decode_elementary(es, [&](const Frame& f) { decoded.push_back(f); });
  p.decode_s = since(t0);
  score(p, s, decoded);
}

void run_nervc_point(RdPoint& p, const Sequence& s, const Preset& preset, const CompareOptions& opt,
                     const std::string& stream_path,
                     const std::function<void(const EncodeEvent&)>& on_encode) {
  EncodeOptions eo;
  eo.cfg = preset.cfg;
  eo.predictor = preset.predictor;
  eo.prior = preset.prior;
  eo.seed = opt.seed;
  eo.device = opt.device;
  eo.expected_frames = int64_t(s.frames.size());
  eo.resume = opt.resume;  // a point whose encode was interrupted goes on from its checkpoint
  MemoryReader reader(s.frames, s.info);
  EncodeReport r = encode_video(reader, stream_path, eo, on_encode);
  p.encode_s = r.seconds;
  p.bytes = uint64_t(fs::file_size(stream_path));  // the whole file, headers included
  DecodeOptions dopt;
  dopt.device = opt.device;
  dopt.dtype = opt.device.is_cuda() ? torch::kHalf : torch::kFloat;
  std::vector<Frame> decoded;
  decoded.reserve(s.frames.size());
  auto t0 = Clock::now();
  decode_stream(
      stream_path, dopt, [](const StreamHeader&) {}, [&](const Frame& f) { decoded.push_back(f); });
  p.decode_s = since(t0);
  score(p, s, decoded);
}

// What a comparison runs, from the options, checked before hours of work start.
struct Ladder {
  const Anchor* anchor = nullptr;
  AnchorSettings settings;
  std::vector<int> qps;
  std::vector<Preset> presets;
};

Ladder checked_ladder(const CompareOptions& opt) {
  if (opt.inputs.empty()) throw Error("compare needs at least one input");
  if (opt.presets.empty()) throw Error("compare needs at least one nervc preset (--presets)");
  Ladder l;
  l.anchor = &find_anchor(opt.anchor);
  l.qps = opt.qps.empty() ? l.anchor->default_qps : opt.qps;
  int max_qp = l.anchor->name == "svtav1" ? 63 : 51;
  for (int q : l.qps)
    if (q < 0 || q > max_qp)
      throw Error("QP " + std::to_string(q) + " is out of range for " + l.anchor->name + " (0-" +
                  std::to_string(max_qp) + ")");
  for (double x : opt.lambdas)
    if (!(x > 0 && x <= 10))
      throw Error("lambda " + std::to_string(x) + " is out of range (0, 10]");
  for (const std::string& p : opt.presets)
    for (Preset& q : load_ladder_entry(p, opt.epochs, opt.lambdas)) {
      if (opt.predict) {  // as encode --predict: the predictor trained nearest the point's lambda
        Prediction p = builtin_prediction(q.cfg);
        q.predictor = p.predictor;
        q.prior = p.prior;
        q.label.insert(std::min(q.label.find('@'), q.label.size()), "+predict");
      }
      l.presets.push_back(q);
    }
  l.settings = opt.anchor_settings;
  if (l.settings.preset.empty()) l.settings.preset = l.anchor->default_preset;
  if (l.settings.keyint <= 0)
    l.settings.keyint = l.presets.front().cfg.segment_frames * l.presets.front().cfg.intra_period;
  return l;
}

// Everything a finished point depends on: a resumed comparison must have the same.
std::string resume_key(const CompareOptions& opt, const Ladder& l) {
  std::string k = "frames=" + std::to_string(opt.read.max_frames) +
                  " start=" + std::to_string(opt.read.start_frame) +
                  " epochs=" + std::to_string(opt.epochs) + " seed=" + std::to_string(opt.seed) +
                  " device=" + opt.device.str() + " inputs=";
  for (const std::string& in : opt.inputs) k += in + ";";
  k += " anchor=" + l.anchor->describe(l.settings) + " presets=";
  for (const Preset& p : l.presets)
    k += p.label + ":" + config_fingerprint(p.cfg) +
         (p.predictor ? ":" + predictor_id(*p.predictor) : "") + ";";
  return k;
}

std::vector<Sequence> load_sequences(const CompareOptions& opt,
                                     const std::function<void(const CompareEvent&)>& on_event) {
  std::vector<Sequence> seqs;
  std::set<std::string> names;
  for (const std::string& in : opt.inputs) {
    Sequence s = load_sequence(in, opt.read);
    s.name = sequence_name(in);
    for (int k = 2; names.count(s.name); ++k) s.name = sequence_name(in) + "_" + std::to_string(k);
    names.insert(s.name);
    CompareEvent e{CompareEvent::Loaded};
    e.message = in + ": " + std::to_string(s.frames.size()) + " frames, " +
                std::to_string(s.info.width) + "x" + std::to_string(s.info.height) + " as '" +
                s.name + "'";
    on_event(e);
    seqs.push_back(std::move(s));
  }
  return seqs;
}

// Per sequence: the anchor's QPs, then nervc's presets.
std::vector<PlannedPoint> plan_points(const std::vector<Sequence>& seqs, const Ladder& l) {
  std::vector<PlannedPoint> plan;
  for (size_t i = 0; i < seqs.size(); ++i) {
    for (int qp : l.qps) {
      PlannedPoint pp;
      pp.seq = i;
      pp.qp = qp;
      pp.rd.codec = l.anchor->name;
      pp.rd.setting = "qp" + std::to_string(qp);
      plan.push_back(pp);
    }
    for (const Preset& p : l.presets) {
      PlannedPoint pp;
      pp.seq = i;
      pp.nervc = true;
      pp.preset = &p;
      pp.units = fitting_units(p.cfg, seqs[i]);
      pp.rd.codec = "nervc";
      pp.rd.setting = p.label;
      plan.push_back(pp);
    }
  }
  for (PlannedPoint& pp : plan) {
    pp.rd.sequence = seqs[pp.seq].name;
    fill_common(pp.rd, seqs[pp.seq]);
  }
  return plan;
}

// The time left, from the points done so far: nervc's per unit of fitting work, the anchor's
// per point.
struct Eta {
  double anchor_s = 0, nervc_s = 0, nervc_units = 0;
  int anchors_done = 0;

  void add(const PlannedPoint& pp, double seconds) {
    if (pp.nervc) {
      nervc_s += seconds;
      nervc_units += pp.units;
    } else {
      anchor_s += seconds;
      ++anchors_done;
    }
  }
  // Seconds for the points from `next` on that are not done; -1 while unknown.
  double left(const std::vector<PlannedPoint>& plan, size_t next,
              const std::map<std::string, RdPoint>& done) const {
    double units = 0;
    int anchors = 0;
    for (size_t i = next; i < plan.size(); ++i) {
      if (done.count(plan[i].rd.key())) continue;
      if (plan[i].nervc)
        units += plan[i].units;
      else
        ++anchors;
    }
    if ((units > 0 && nervc_units == 0) || (anchors > 0 && anchors_done == 0)) return -1.0;
    return (units > 0 ? units * nervc_s / nervc_units : 0) +
           (anchors > 0 ? anchors * anchor_s / anchors_done : 0);
  }
};

std::string qp_range(const std::vector<int>& qps) {
  auto [lo, hi] = std::minmax_element(qps.begin(), qps.end());
  if (*lo == *hi) return "QP " + std::to_string(*lo);
  return "QP " + std::to_string(*lo) + "-" + std::to_string(*hi);
}

// One RD chart per sequence (anchor and nervc); a chart that cannot be drawn is a warning.
std::vector<std::pair<std::string, std::string>> plot_sequences(
    const std::vector<Sequence>& seqs, const std::vector<RdPoint>& points, const Ladder& l,
    const fs::path& dir, const std::function<void(const CompareEvent&)>& on_event) {
  std::vector<std::pair<std::string, std::string>> plots;
  for (const Sequence& s : seqs) {
    RdSeries a{l.anchor->name + " (" + l.anchor->encoder + " " + l.settings.preset + ", " +
                   qp_range(l.qps) + ")",
               {}};
    RdSeries t{"nervc (presets " +
                   [&] {
                     std::string names;
                     for (const Preset& p : l.presets)
                       names += (names.empty() ? "" : ", ") + p.label;
                     return names;
                   }() +
                   ")",
               {}};
    for (const RdPoint& p : points) {
      if (p.sequence != s.name || !p.ok()) continue;
      (p.codec == "nervc" ? t : a).points.push_back(&p);
    }
    std::vector<RdSeries> series;
    for (RdSeries* r : {&a, &t})
      if (!r->points.empty()) series.push_back(*r);
    if (series.empty()) continue;  // every point of this sequence failed: nothing to draw
    std::string png = (dir / ("rd_" + s.name + ".png")).string();
    std::string title = s.name + ": " + std::to_string(s.info.width) + "x" +
                        std::to_string(s.info.height) + ", " + std::to_string(s.frames.size()) +
                        " frames";
    try {
      plot_rd(png, title, series);
      plots.emplace_back(s.name, png);
    } catch (const Error& e) {  // the numbers are in; a missing picture is not worth losing them
      CompareEvent w{CompareEvent::Warning};
      w.message = e.what();
      on_event(w);
    }
  }
  return plots;
}

}  // namespace

const std::vector<double> kDefaultLambdas = {0.04, 0.012, 0.004, 0.0012};

std::string default_lambdas_text() {
  std::string s;
  for (double l : kDefaultLambdas) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%g", s.empty() ? "" : ",", l);
    s += buf;
  }
  return s;
}

std::vector<RdPoint> run_compare(const CompareOptions& opt,
                                 const std::function<void(const CompareEvent&)>& on_event) {
  const Ladder ladder = checked_ladder(opt);
  const Anchor& anchor = *ladder.anchor;
  const AnchorSettings& as = ladder.settings;
  const std::vector<int>& qps = ladder.qps;
  const std::vector<Preset>& presets = ladder.presets;
  std::string gnuplot = gnuplot_version();

  fs::path dir(opt.out_dir);
  const std::string json_path = (dir / "results.json").string();
  const std::string key = resume_key(opt, ladder);
  std::map<std::string, RdPoint> done = finished_points(opt.out_dir, opt.resume, key);
  std::vector<Sequence> seqs = load_sequences(opt, on_event);
  fs::create_directories(dir / "streams");
  std::vector<PlannedPoint> plan = plan_points(seqs, ladder);

  // results.csv is rewritten with the points kept from before, then grows a line per point.
  {
    std::vector<std::string> keys;
    for (const PlannedPoint& pp : plan) keys.push_back(pp.rd.key());
    start_results_csv(opt.out_dir, keys, done);
  }

  nlohmann::json settings = {
      {"anchor",
       {{"name", anchor.name},
        {"encoder", anchor.encoder},
        {"preset", as.preset},
        {"keyint", as.keyint},
        {"qps", qps},
        {"description", anchor.describe(as) + "; rate: the elementary stream's bytes, "
                                              "parameter sets included"}}},
      {"nervc",
       {{"presets", opt.presets},
        {"epochs_override", opt.epochs},
        {"seed", opt.seed},
        {"device", opt.device.str()},
        {"description", "segment_frames=" + std::to_string(presets.front().cfg.segment_frames) +
                            " intra_period=" + std::to_string(presets.front().cfg.intra_period) +
                            (opt.epochs > 0 ? " epochs=" + std::to_string(opt.epochs)
                                            : std::string(" epochs=preset")) +
                            "; rate: the whole .nerv file, headers included"}}},
      {"frames",
       opt.read.max_frames > 0 ? nlohmann::json(opt.read.max_frames) : nlohmann::json("all")},
      {"rate",
       "bits per pixel = bytes * 8 / (frames * width * height); kbps at the source's "
       "frame rate"},
      {"quality",
       "both codecs' decoded frames scored by nervc's metrics against the same "
       "source frames, by index: YUV-PSNR 6:1:1, Y-PSNR, RGB-PSNR, MS-SSIM of luma"}};
  nlohmann::json versions = {
      {"nervc", opt.nervc_version},
      {"ffmpeg", ffmpeg_version()},
      {anchor.encoder, anchor_version(anchor)},
      {"libtorch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                       "." + std::to_string(TORCH_VERSION_PATCH)},
      {"gnuplot", gnuplot}};
  nlohmann::json machine = machine_json(opt.device);

  std::vector<RdPoint> points;
  auto write_json = [&] {
    nlohmann::json j = {{"tool", "nervc compare"}, {"created", now_iso()}, {"resume_key", key},
                        {"settings", settings},    {"versions", versions}, {"machine", machine}};
    j["points"] = nlohmann::json::array();
    for (const RdPoint& p : points) j["points"].push_back(to_json(p));
    j["bd"] = nlohmann::json::array();
    for (const BdEntry& e : bd_entries(points, anchor.name, "nervc")) j["bd"].push_back(to_json(e));
    write_file(json_path, j.dump(2) + "\n");
    return j;
  };

  Eta eta;
  for (size_t i = 0; i < plan.size(); ++i) {
    PlannedPoint& pp = plan[i];
    CompareEvent e = CompareEvent::about(CompareEvent::PointStart, i, plan.size(), &pp.rd);
    auto it = done.find(pp.rd.key());
    if (it != done.end()) {
      points.push_back(it->second);
      eta.add(pp, it->second.encode_s + it->second.decode_s);  // informs the ETA of the rest
      e.kind = CompareEvent::Skipped;
      e.rd = &points.back();
      on_event(e);
      continue;
    }
    e.train = pp.nervc ? &pp.preset->cfg.train : nullptr;
    on_event(e);
    const Sequence& s = seqs[pp.seq];
    std::string stream = (dir / "streams" /
                          (s.name + "." + pp.rd.codec + "." + pp.rd.setting + "." +
                           (pp.nervc ? std::string("nerv") : anchor.extension)))
                             .string();
    auto t0 = Clock::now();
    try {
      if (pp.nervc) {
        run_nervc_point(pp.rd, s, *pp.preset, opt, stream, [&](const EncodeEvent& ev) {
          CompareEvent ce = CompareEvent::about(CompareEvent::Encode, i, plan.size(), &pp.rd);
          ce.encode = &ev;
          on_event(ce);
        });
      } else {
        run_anchor_point(pp.rd, s, anchor, pp.qp, as, stream);
      }
    } catch (const std::exception& ex) {
      pp.rd.status = std::string("failed: ") + ex.what();
    }
    eta.add(pp, since(t0));
    points.push_back(pp.rd);
    append_result(opt.out_dir, pp.rd);
    write_json();
    CompareEvent d = CompareEvent::about(CompareEvent::PointDone, i, plan.size(), &points.back());
    d.eta_s = eta.left(plan, i + 1, done);
    on_event(d);
  }

  nlohmann::json results = write_json();
  std::vector<std::pair<std::string, std::string>> plots =
      plot_sequences(seqs, points, ladder, dir, on_event);
  write_report_html((dir / "report.html").string(), results, plots);
  CompareEvent f{CompareEvent::Finished};
  f.message = opt.out_dir;
  on_event(f);
  return points;
}

}  // namespace nerv
