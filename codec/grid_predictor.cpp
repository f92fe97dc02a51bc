#include "codec/grid_predictor.h"

#include "base/error.h"
#include "codec/tensor_file.h"

namespace nerv {
namespace {

const TensorFileKind kPredictor{"NERVPRED", 1, "predictor"};

nlohmann::json header(const GridPredictor& p) {
  nlohmann::json h = {{"name", p.name},
                      {"model", p.model},
                      {"prior", p.prior},
                      {"in_channels", p.in_channels},
                      {"channels", p.channels}};
  if (p.depth != 2) h["depth"] = p.depth;
  if (p.lambda > 0) h["lambda"] = p.lambda;
  return h;
}

GridPredictor from_file(TensorFile f, const std::string& path) {
  const nlohmann::json& m = f.meta;
  auto is = [&](const char* k, auto check) { return m.contains(k) && (m[k].*check)(); };
  if (!is("name", &nlohmann::json::is_string) || !is("model", &nlohmann::json::is_object) ||
      !is("prior", &nlohmann::json::is_string) ||
      !is("in_channels", &nlohmann::json::is_number_integer) ||
      !is("channels", &nlohmann::json::is_number_integer))
    throw Error(path + ": predictor header is not valid");
  GridPredictor p;
  p.name = m["name"];
  p.model = m["model"];
  p.prior = m["prior"];
  p.in_channels = m["in_channels"];
  p.channels = m["channels"];
  if (m.contains("depth")) p.depth = m["depth"].is_number_integer() ? m["depth"].get<int>() : 0;
  if (m.contains("lambda")) p.lambda = m["lambda"].is_number() ? m["lambda"].get<double>() : -1;
  if ((p.in_channels != 1 && p.in_channels != 3 && p.in_channels != 6) || p.channels < 1 ||
      p.channels > 256 || p.depth < 2 || p.depth > 16 || !(p.lambda >= 0 && p.lambda < 1e6))
    throw Error(path + ": predictor header is not valid");
  p.notes = m.value("notes", nlohmann::json::object());
  p.tensors = std::move(f.tensors);
  p.hash = predictor_hash(p);
  return p;
}

}  // namespace

uint64_t predictor_hash(const GridPredictor& p) {
  return tensors_hash(header(p), p.tensors);
}

std::string predictor_id(const GridPredictor& p) {
  return p.name + "@" + hex64(p.hash);
}

GridPredictor load_predictor(const std::string& path) {
  return from_file(load_tensor_file(path, kPredictor), path);
}

GridPredictor parse_predictor(const uint8_t* data, size_t size, const std::string& path) {
  return from_file(parse_tensor_file(data, size, path, kPredictor), path);
}

void save_predictor(const std::string& path, GridPredictor& p) {
  nlohmann::json meta = header(p);
  meta["notes"] = p.notes;
  save_tensor_file(path, kPredictor, {meta, p.tensors});
  p.hash = predictor_hash(p);
}

void check_predictor(const GridPredictor& p, const GridPrior* prior, const CodecConfig& cfg) {
  if (!prior || prior_id(*prior) != p.prior)
    throw Error("predictor " + predictor_id(p) + " predicts for prior " + p.prior +
                ", not the prior given");
  if (p.model != cfg.model)
    throw Error("predictor " + predictor_id(p) + " was trained for another model than '" +
                cfg.name + "'");
}

std::shared_ptr<LatentPredictor> make_latent_predictor(const GridPredictor& p) {
  const nlohmann::json& levels = p.model.value("levels", nlohmann::json::array());
  if (!levels.is_array() || levels.empty() || levels.size() > 12)
    throw Error("predictor " + predictor_id(p) + ": its model has no latent levels");
  auto net =
      std::make_shared<LatentPredictor>(p.in_channels, int(levels.size()), p.channels, p.depth);
  NamedTensors mine = net->tensors();
  bool fits = mine.size() == p.tensors.size();
  for (size_t i = 0; fits && i < mine.size(); ++i)
    fits = mine[i].first == p.tensors[i].first &&
           mine[i].second.sizes() == p.tensors[i].second.sizes();
  if (!fits) throw Error("predictor " + predictor_id(p) + ": its weights do not fit its shape");
  torch::NoGradGuard ng;
  for (size_t i = 0; i < mine.size(); ++i) mine[i].second.copy_(p.tensors[i].second);
  net->eval();
  return net;
}

}  // namespace nerv
