// Bjøntegaard-delta figures between two rate-distortion curves (VCEG-M33; conventions in
// docs/metrics.md): the average rate difference at equal quality (BD-rate, %) and the average
// quality difference at equal rate (BD-quality, e.g. dB), by two interpolations:
//  - Pchip: piecewise cubic Hermite with monotone (Fritsch-Carlson) slopes, as in the JCT-VC /
//    JVET common-test-condition spreadsheets;
//  - Cubic: the original least-squares cubic polynomial (degree points-1 below four points).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace nerv {

struct RdSample {
  double rate = 0;     // any positive rate unit (kbps, bpp, bytes): only ratios matter
  double quality = 0;  // higher is better (PSNR dB, MS-SSIM)
};

enum class BdInterp { Pchip, Cubic };
const char* to_string(BdInterp m);

// The points kept for integration: sorted by rate, only those of higher quality than every
// cheaper point (the monotone front); the others are listed in `dropped`.
struct RdCurve {
  std::vector<RdSample> kept;
  std::vector<RdSample> dropped;
};
RdCurve monotone_front(std::vector<RdSample> points);

struct BdResult {
  std::optional<double> value;  // BD-rate in %, or BD-quality in the quality's unit
  std::string reason;           // why there is no value ("n/a")
  std::vector<RdSample> dropped_anchor, dropped_test;
  int degree = 3;  // polynomial degree used (Cubic); 3 for Pchip's pieces
};

// Negative BD-rate: the test needs less rate than the anchor for the same quality.
BdResult bd_rate(const std::vector<RdSample>& anchor, const std::vector<RdSample>& test,
                 BdInterp m);
// Positive BD-quality: the test has higher quality than the anchor at the same rate.
BdResult bd_quality(const std::vector<RdSample>& anchor, const std::vector<RdSample>& test,
                    BdInterp m);

}  // namespace nerv
