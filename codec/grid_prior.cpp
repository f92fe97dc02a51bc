#include "codec/grid_prior.h"

#include "base/error.h"
#include "codec/tensor_file.h"

namespace nerv {
namespace {
const TensorFileKind kPrior{"NERVPRIO", 1, "prior"};
}  // namespace

uint64_t prior_hash(const GridPrior& p) {
  return tensors_hash(p.model, p.tensors);
}

std::string prior_id(const GridPrior& p) {
  return p.name + "@" + hex64(p.hash);
}

void check_prior_config(const GridPrior& p, const CodecConfig& cfg) {
  if (!cfg.model.is_object() || cfg.model.value("arch", "") != "grid")
    throw Error("a prior applies to the grid family, not '" + cfg.name + "'");
  if (p.model != cfg.model)
    throw Error("prior " + prior_id(p) + " was trained for another model than '" + cfg.name + "'");
}

namespace {
GridPrior from_file(TensorFile f, const std::string& path) {
  const nlohmann::json& meta = f.meta;
  if (!meta.contains("name") || !meta["name"].is_string() || !meta.contains("model") ||
      !meta["model"].is_object())
    throw Error(path + ": prior header is not valid");
  GridPrior p;
  p.name = meta["name"];
  p.model = meta["model"];
  p.notes = meta.value("notes", nlohmann::json::object());
  p.tensors = std::move(f.tensors);
  p.hash = prior_hash(p);
  return p;
}
}  // namespace

GridPrior load_prior(const std::string& path) {
  return from_file(load_tensor_file(path, kPrior), path);
}

GridPrior parse_prior(const uint8_t* data, size_t size, const std::string& path) {
  return from_file(parse_tensor_file(data, size, path, kPrior), path);
}

void save_prior(const std::string& path, GridPrior& p) {
  save_tensor_file(
      path, kPrior,
      {nlohmann::json{{"name", p.name}, {"model", p.model}, {"notes", p.notes}}, p.tensors});
  p.hash = prior_hash(p);
}

}  // namespace nerv
