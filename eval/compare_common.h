// What the video and the image comparisons share: the nervc ladder (presets, and a point per
// lambda for rate-trained ones), the fingerprint that guards --resume, and the machine's facts.
#pragma once
#include <torch/torch.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codec/config.h"
#include "codec/grid_predictor.h"
#include "eval/results.h"

namespace nerv {

struct LadderPreset {
  std::string label;  // a preset name or a config file's stem, "@lambda" for a rate-trained one
  CodecConfig cfg;
  // compare --predict: the built-in predictor for the preset and lambda, and its prior.
  std::shared_ptr<const GridPredictor> predictor;
  std::shared_ptr<const GridPrior> prior;
};

// One ladder entry: a preset or config file, and for a family trained on distortion + lambda *
// rate one point per lambda (labelled "name@lambda"), its own lambda if none are given.
std::vector<LadderPreset> load_ladder_entry(const std::string& entry, int epochs,
                                            const std::vector<double>& lambdas);

// Everything of a preset that shapes its points (network, quantisation, training, segments),
// as a short hash for the resume key: an edited config file must not pass for the old one.
std::string config_fingerprint(const CodecConfig& c);

std::string cpu_model();
std::string now_iso();  // UTC, e.g. 2026-12-03T15:04:05Z
// The machine's facts for results.json.
nlohmann::json machine_json(const torch::Device& device);

// The finished points of an earlier run in `dir` (results.csv), by RdPoint::key(), failed ones
// left out so that they run again. Throws nerv::Error if results.csv exists without `resume`,
// or if results.json says it was made with another `resume_key`.
std::map<std::string, RdPoint> finished_points(const std::string& dir, bool resume,
                                               const std::string& resume_key);
// results.csv anew: the header and the points kept from before, in plan order.
void start_results_csv(const std::string& dir, const std::vector<std::string>& planned_keys,
                       std::map<std::string, RdPoint>& done);
// One more line of results.csv.
void append_result(const std::string& dir, const RdPoint& p);

}  // namespace nerv
