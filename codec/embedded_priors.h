// Priors and predictors compiled into the binary from priors/ (codec/embed_priors.cmake).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nerv {

struct EmbeddedPrior {
  const char* file;  // its name in priors/: NAME.prior or NAME.predictor
  const uint8_t* data;
  size_t size;
};

const std::vector<EmbeddedPrior>& embedded_priors();

}  // namespace nerv
