#include "codec/config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "base/json_fields.h"
#include "codec/presets.h"
#include "models/model.h"

namespace nerv {
namespace {

QuantConfig parse_quant(const nlohmann::json& j, const std::string& where) {
  JsonFields f(j, where + ".quant");
  QuantConfig q;
  q.weight_bits = f.integer("weight_bits", 2, 16, 6);
  q.embed_bits = f.integer("embed_bits", 2, 16, 6);
  f.finish();
  return q;
}

nlohmann::json quant_json(const QuantConfig& q) {
  return {{"weight_bits", q.weight_bits}, {"embed_bits", q.embed_bits}};
}

}  // namespace

CodecConfig parse_codec_config(const nlohmann::json& j, const std::string& where) {
  JsonFields f(j, where);
  CodecConfig c;
  c.name = f.string("name", std::string("custom"));
  c.description = f.string("description", std::string());
  c.segment_frames = f.integer("segment_frames", 1, 1024);
  c.intra_period = f.integer("intra_period", 1, 65535);
  c.model = f.object("model");
  validate_model_config(c.model);
  JsonFields t(f.object("train"), where + ".train");
  c.train.epochs = t.integer("epochs", 1, 100000);
  c.train.warm_epochs = t.integer("warm_epochs", 0, 100000, c.train.epochs / 2);
  c.train.batch_size = t.integer("batch_size", 1, 1024, 2);
  c.train.lr = t.number("lr", 1e-6, 1.0);
  c.train.warmup = t.number("warmup", 0.0, 0.9, 0.1);
  c.train.qat_epochs = t.integer("qat_epochs", 0, 100000, 30);
  c.train.qat_lr = t.number("qat_lr", 1e-7, 1.0, c.train.lr / 10);
  c.train.msssim_weight = t.number("msssim_weight", 0.0, 1.0, 0.0);
  c.train.temporal_l1 = t.number("temporal_l1", 0.0, 1.0, 1e-4);
  c.train.lambda = t.number("lambda", 0.0, 10.0, 0.0);
  c.train.latent_lr = t.number("latent_lr", 1e-6, 1.0, 0.2);
  c.train.refine_lr = t.number("refine_lr", 1e-3, 1.0, 0.3);
  std::string proxy = t.string("proxy", std::string("soft_round"));
  if (proxy != "soft_round" && proxy != "uniform")
    throw Error(where + ".train.proxy: \"" + proxy + "\" is not soft_round or uniform");
  c.train.proxy = proxy == "uniform" ? Proxy::Uniform : Proxy::SoftRound;
  t.finish();
  c.quant = f.has("quant") ? parse_quant(f.object("quant"), where) : QuantConfig{};
  f.finish();
  return c;
}

CodecConfig load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open config");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path + ": invalid JSON (" + std::string(e.what()) + ")");
  }
  return parse_codec_config(j, path);
}

CodecConfig load_preset(const std::string& name) {
  for (const EmbeddedPreset& p : embedded_presets())
    if (name == p.name) return parse_codec_config(nlohmann::json::parse(p.json), "preset " + name);
  std::string names;
  for (const std::string& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
  throw Error("unknown preset '" + name + "' (available: " + names + ")");
}

std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const EmbeddedPreset& p : embedded_presets()) out.push_back(p.name);
  return out;
}

void override_epochs(TrainConfig& t, int epochs) {
  t.warm_epochs = std::max(1, int(std::lround(double(t.warm_epochs) * epochs / t.epochs)));
  t.qat_epochs = std::min(t.qat_epochs, std::max(1, epochs / 10));
  t.epochs = epochs;
}

void refine_steps(TrainConfig& t, int steps) {
  t.epochs = t.warm_epochs = steps;
  t.qat_epochs = steps / 10;
}

nlohmann::json config_json(const CodecConfig& c) {
  const TrainConfig& t = c.train;
  return {{"name", c.name},
          {"description", c.description},
          {"segment_frames", c.segment_frames},
          {"intra_period", c.intra_period},
          {"model", c.model},
          {"train",
           {{"epochs", t.epochs},
            {"warm_epochs", t.warm_epochs},
            {"batch_size", t.batch_size},
            {"lr", t.lr},
            {"warmup", t.warmup},
            {"qat_epochs", t.qat_epochs},
            {"qat_lr", t.qat_lr},
            {"msssim_weight", t.msssim_weight},
            {"temporal_l1", t.temporal_l1},
            {"lambda", t.lambda},
            {"latent_lr", t.latent_lr},
            {"refine_lr", t.refine_lr},
            {"proxy", t.proxy == Proxy::Uniform ? "uniform" : "soft_round"}}},
          {"quant", quant_json(c.quant)}};
}

nlohmann::json decoder_config(const CodecConfig& c) {
  if (c.model.value("arch", "") == "grid") return {{"model", c.model}};  // steps are in payloads
  return {{"model", c.model}, {"quant", quant_json(c.quant)}};
}

std::string stream_prior(const nlohmann::json& j) {
  return j.is_object() && j.contains("prior") && j["prior"].is_string()
             ? j["prior"].get<std::string>()
             : "";
}

void parse_decoder_config(const nlohmann::json& j, nlohmann::json& model, QuantConfig& quant) {
  JsonFields f(j, "stream config");
  model = f.object("model");
  validate_model_config(model);
  bool grid = model.value("arch", "") == "grid";
  if (grid && f.has("quant")) throw Error("stream config: unknown key 'quant'");
  if (grid && f.has("prior")) f.string("prior");  // stream_prior() reads it
  quant = grid ? QuantConfig{} : parse_quant(f.object("quant"), "stream config");
  f.finish();
}

}  // namespace nerv
