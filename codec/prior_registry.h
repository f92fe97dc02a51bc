// The priors a decoder knows, by id ("name@hash", grid_prior.h): those compiled in from
// priors/*.prior and those given at run time (encode/decode --prior FILE). A stream that names
// a prior is decoded only where that exact prior is known.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "codec/grid_predictor.h"
#include "codec/grid_prior.h"

namespace nerv {

// Makes `p` known to every decoder of this process.
void add_known_prior(std::shared_ptr<const GridPrior> p);
// Loads a prior file (load_prior) and makes it known.
void add_known_prior_file(const std::string& path);
// The prior with this id, or null.
std::shared_ptr<const GridPrior> find_prior(const std::string& id);
// Ids of every known prior.
std::vector<std::string> known_priors();

// Every predictor compiled in (priors/*.predictor), parsed on first use only.
const std::vector<std::shared_ptr<const GridPredictor>>& builtin_predictors();
// The predictor compiled in for this model config (priors/*.predictor) whose training lambda is
// nearest `lambda` (by ratio), or null.
std::shared_ptr<const GridPredictor> builtin_predictor(const nlohmann::json& model, double lambda);

// What `--predict` starts from: the built-in predictor for `cfg`'s model nearest its lambda, and
// the prior it predicts for. Throws nerv::Error ("--predict: ...") when there is no predictor for
// this preset, or its prior is not known.
struct Prediction {
  std::shared_ptr<const GridPredictor> predictor;
  std::shared_ptr<const GridPrior> prior;
};
Prediction builtin_prediction(const CodecConfig& cfg);

}  // namespace nerv
