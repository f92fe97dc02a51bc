// The presets of configs/*.json, compiled into the binary (see presets.cpp.in).
#pragma once
#include <vector>

namespace nerv {

struct EmbeddedPreset {
  const char* name;
  const char* json;
};

const std::vector<EmbeddedPreset>& embedded_presets();

}  // namespace nerv
