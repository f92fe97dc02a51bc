// `nervc compare`: the same source frames coded by nervc (a ladder of presets) and by an anchor
// codec (a QP ladder), both decoded and scored by the same code, points written as they finish
// (results.csv), then BD figures (results.json), RD plots (rd_<sequence>.png) and report.html.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "codec/encoder.h"
#include "eval/anchor.h"
#include "eval/results.h"
#include "io/video_reader.h"

namespace nerv {

// The default lambda ladder of rate-trained presets: about 0.01 to 0.2 bpp on CIF video.
extern const std::vector<double> kDefaultLambdas;
std::string default_lambdas_text();

struct CompareOptions {
  std::vector<std::string> inputs;
  ReadOptions read;                  // read.max_frames: frames per sequence (-1: all)
  std::vector<std::string> presets;  // preset names, or JSON config files
  std::vector<double> lambdas;       // a point per lambda for rate-trained families; empty: own
  int epochs = 0;                    // 0: the presets' own
  bool predict = false;              // start from the built-in predictor's prediction (as encode)
  uint64_t seed = 0;
  torch::Device device = torch::kCPU;
  std::string anchor = "x265";
  AnchorSettings anchor_settings;  // keyint 0: nervc's intra period in frames
  std::vector<int> qps;            // empty: the anchor's default ladder
  std::string out_dir;
  bool resume = false;
  std::string nervc_version;
};

struct CompareEvent {
  enum Kind { Loaded, PointStart, Encode, PointDone, Skipped, Warning, Finished } kind;
  size_t point = 0, points = 0;  // 0-based index of this point, and how many in all
  const RdPoint* rd = nullptr;   // PointStart (name only), PointDone, Skipped
  const EncodeEvent* encode = nullptr;
  const TrainConfig* train = nullptr;  // PointStart of a nervc point
  // Estimated seconds left for all remaining points; negative while unknown.
  double eta_s = -1;
  std::string message;  // Loaded: what was read; Warning; Finished: where the outputs are

  // An event about point `point` of `points`.
  static CompareEvent about(Kind kind, size_t point, size_t points, const RdPoint* rd) {
    CompareEvent e{kind};
    e.point = point;
    e.points = points;
    e.rd = rd;
    return e;
  }
};

// Throws nerv::Error for bad options or inputs before any point runs; a point that fails is
// recorded with its reason and the rest go on. Returns every point (resumed ones included).
std::vector<RdPoint> run_compare(const CompareOptions& opt,
                                 const std::function<void(const CompareEvent&)>& on_event);

}  // namespace nerv
