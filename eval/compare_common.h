// What the video and the image comparisons share: the nervc ladder (presets, and a point per
// lambda for rate-trained ones), the fingerprint that guards --resume, and the machine's facts.
#pragma once
#include <string>
#include <vector>

#include "codec/config.h"

namespace nerv {

struct LadderPreset {
  std::string label;  // a preset name or a config file's stem, "@lambda" for a rate-trained one
  CodecConfig cfg;
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

}  // namespace nerv
