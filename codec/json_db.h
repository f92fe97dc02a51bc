// JSON has no infinity or NaN: a dB figure of identical planes is written as the string "inf"
// ("-inf" below), a missing value as null. Shared by the encoder's and the comparison's reports.
#pragma once
#include <cmath>
#include <nlohmann/json.hpp>

namespace nerv {

inline nlohmann::json db_json(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

}  // namespace nerv
