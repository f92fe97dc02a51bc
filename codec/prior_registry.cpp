#include "codec/prior_registry.h"

#include <cmath>
#include <mutex>

#include "base/error.h"
#include "codec/embedded_priors.h"

namespace nerv {
namespace {

bool is_predictor(const EmbeddedPrior& e) {
  std::string f = e.file;
  return f.size() > 10 && f.compare(f.size() - 10, 10, ".predictor") == 0;
}

struct Registry {
  std::mutex m;
  std::vector<std::shared_ptr<const GridPrior>> priors;
  Registry() {
    for (const EmbeddedPrior& e : embedded_priors())
      if (!is_predictor(e))
        priors.push_back(std::make_shared<GridPrior>(
            parse_prior(e.data, e.size, std::string("built-in ") + e.file)));
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void add_known_prior(std::shared_ptr<const GridPrior> p) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.m);
  for (const auto& q : r.priors)
    if (q->hash == p->hash && q->name == p->name) return;
  r.priors.push_back(std::move(p));
}

void add_known_prior_file(const std::string& path) {
  add_known_prior(std::make_shared<GridPrior>(load_prior(path)));
}

std::shared_ptr<const GridPrior> find_prior(const std::string& id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.m);
  for (const auto& p : r.priors)
    if (prior_id(*p) == id) return p;
  return nullptr;
}

std::vector<std::string> known_priors() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.m);
  std::vector<std::string> ids;
  for (const auto& p : r.priors) ids.push_back(prior_id(*p));
  return ids;
}

// Parsed on first use only: decoders never need them.
const std::vector<std::shared_ptr<const GridPredictor>>& builtin_predictors() {
  static const std::vector<std::shared_ptr<const GridPredictor>> predictors = [] {
    std::vector<std::shared_ptr<const GridPredictor>> out;
    for (const EmbeddedPrior& e : embedded_priors())
      if (is_predictor(e))
        out.push_back(std::make_shared<GridPredictor>(
            parse_predictor(e.data, e.size, std::string("built-in ") + e.file)));
    return out;
  }();
  return predictors;
}

std::shared_ptr<const GridPredictor> builtin_predictor(const nlohmann::json& model, double lambda) {
  std::shared_ptr<const GridPredictor> best;
  double best_d = 0;
  for (const auto& p : builtin_predictors()) {
    if (p->model != model) continue;
    double d = p->lambda > 0 && lambda > 0 ? std::abs(std::log(p->lambda / lambda)) : 1e9;
    if (!best || d < best_d) best = p, best_d = d;
  }
  return best;
}

Prediction builtin_prediction(const CodecConfig& cfg) {
  Prediction p;
  p.predictor = builtin_predictor(cfg.model, cfg.train.lambda);
  if (!p.predictor) throw Error("--predict: no built-in predictor for preset '" + cfg.name + "'");
  p.prior = find_prior(p.predictor->prior);
  if (!p.prior)
    throw Error("--predict: prior " + p.predictor->prior + " of " + predictor_id(*p.predictor) +
                " is not known");
  return p;
}

}  // namespace nerv
