// libFuzzer harness: the configuration validator (`--config FILE`, the presets, and the model
// config a stream header carries). Any JSON document must be accepted or refused with a
// nerv::Error; an accepted config must describe a model the decoder can build, and both its
// whole form (config_json) and its decoder config (what the stream header stores) must read
// back to the same.
#include <torch/torch.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "codec/config.h"
#include "codec/family.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return -1;  // not JSON: the parser's business, not ours
  nerv::CodecConfig c;
  try {
    c = nerv::parse_codec_config(j, "fuzz config");
  } catch (const nerv::Error&) {
    return 0;
  }
  // The whole config written out reads back to itself (what resumable encodes compare).
  nlohmann::json whole = nerv::config_json(c);
  if (nerv::config_json(nerv::parse_codec_config(whole, "again")) != whole) std::abort();
  nlohmann::json dec = nerv::decoder_config(c);
  nlohmann::json model;
  nerv::QuantConfig quant;
  nerv::parse_decoder_config(dec, model, quant);  // must not throw: we wrote it
  if (model != c.model) std::abort();
  // Small frames, so that a large but legal model stays cheap to build.
  nerv::StreamHeader h;
  h.width = 32;
  h.height = 32;
  h.segment_frames = uint32_t(c.segment_frames);
  h.intra_period = uint32_t(c.intra_period);
  h.config = dec;
  try {
    nerv::make_family_decoder(h, torch::kCPU, torch::kFloat);
  } catch (const nerv::Error&) {
    // e.g. strides that need a frame larger than 32x32
  }
  return 0;
}
