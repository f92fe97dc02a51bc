// The architectures nervc knows, by the "arch" key of a model config. A new architecture is a
// file in models/ plus a line in each function here.
#include "base/error.h"
#include "models/hnerv.h"
#include "models/latent_grid.h"
#include "models/model.h"

namespace nerv {

static std::string arch_of(const nlohmann::json& cfg) {
  if (!cfg.is_object() || !cfg.contains("arch") || !cfg["arch"].is_string())
    throw Error("model: missing key 'arch'");
  return cfg["arch"].get<std::string>();
}

void validate_model_config(const nlohmann::json& cfg) {
  std::string arch = arch_of(cfg);
  if (arch == "hnerv") {
    parse_hnerv_config(cfg);
    return;
  }
  if (arch == "grid") {
    parse_latent_grid_config(cfg);
    return;
  }
  throw Error("model.arch: unknown architecture '" + arch + "'");
}

std::shared_ptr<InrModel> make_model(const nlohmann::json& cfg, int width, int height) {
  std::string arch = arch_of(cfg);
  if (arch == "hnerv") return std::make_shared<Hnerv>(parse_hnerv_config(cfg), width, height);
  if (arch == "grid") throw Error("model.arch: 'grid' is coded by its own family, not as frames");
  throw Error("model.arch: unknown architecture '" + arch + "'");
}

}  // namespace nerv
