#include <cmath>
#include <limits>

#include "io/metrics.h"

namespace nerv {

double psnr_from_mse(double mse) {
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

double plane_mse(const uint8_t* a, const uint8_t* b, size_t n) {
  uint64_t sum = 0;  // exact: at most 65025 per sample
  for (size_t i = 0; i < n; ++i) {
    int d = int(a[i]) - int(b[i]);
    sum += uint64_t(d * d);
  }
  return n ? double(sum) / double(n) : 0.0;
}

double psnr_yuv611(double y, double u, double v) {
  return (6.0 * y + u + v) / 8.0;
}

}  // namespace nerv
