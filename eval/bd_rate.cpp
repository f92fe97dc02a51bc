#include "eval/bd_rate.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace nerv {
namespace {

struct Curve {
  std::vector<double> x, y;  // x strictly increasing
};

// PCHIP end slope (three-point formula, clamped so the end piece stays shape-preserving).
double pchip_end(double h0, double h1, double d0, double d1) {
  double d = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
  if (d * d0 <= 0) return 0;
  if (d0 * d1 < 0 && std::abs(d) > std::abs(3 * d0)) return 3 * d0;
  return d;
}

// Integral over [lo, hi] of the piecewise cubic Hermite interpolant through the points.
double integrate_pchip(const Curve& c, double lo, double hi) {
  size_t n = c.x.size();
  std::vector<double> h(n - 1), delta(n - 1), d(n);
  for (size_t i = 0; i + 1 < n; ++i) {
    h[i] = c.x[i + 1] - c.x[i];
    delta[i] = (c.y[i + 1] - c.y[i]) / h[i];
  }
  if (n == 2) {
    d[0] = d[1] = delta[0];  // two points: the straight line
  } else {
    for (size_t i = 1; i + 1 < n; ++i) {
      if (delta[i - 1] * delta[i] <= 0) {
        d[i] = 0;
        continue;
      }
      double w1 = 2 * h[i] + h[i - 1], w2 = h[i] + 2 * h[i - 1];
      d[i] = (w1 + w2) / (w1 / delta[i - 1] + w2 / delta[i]);
    }
    d[0] = pchip_end(h[0], h[1], delta[0], delta[1]);
    d[n - 1] = pchip_end(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
  }
  double total = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    double s0 = std::clamp(c.x[i], lo, hi) - c.x[i];
    double s1 = std::clamp(c.x[i + 1], lo, hi) - c.x[i];
    if (s1 <= s0) continue;
    double cc = (3 * delta[i] - 2 * d[i] - d[i + 1]) / h[i];
    double bb = (d[i] - 2 * delta[i] + d[i + 1]) / (h[i] * h[i]);
    auto prim = [&](double s) { return s * (c.y[i] + s * (d[i] / 2 + s * (cc / 3 + s * bb / 4))); };
    total += prim(s1) - prim(s0);
  }
  return total;
}

// Integral over [lo, hi] of the least-squares polynomial of degree `deg` through the points.
// x is centred and scaled to about [-1, 1] so the normal equations stay well conditioned.
double integrate_polyfit(const Curve& c, int deg, double lo, double hi) {
  size_t n = c.x.size();
  double mid = (c.x.front() + c.x.back()) / 2, half = (c.x.back() - c.x.front()) / 2;
  int m = deg + 1;
  std::array<std::array<double, 5>, 4> a{};  // augmented normal equations, m x (m+1)
  for (size_t k = 0; k < n; ++k) {
    double t = (c.x[k] - mid) / half;
    std::array<double, 4> p{1, t, t * t, t * t * t};
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < m; ++j) a[i][j] += p[i] * p[j];
      a[i][m] += p[i] * c.y[k];
    }
  }
  for (int col = 0; col < m; ++col) {  // Gauss-Jordan with partial pivoting
    int piv = col;
    for (int r = col + 1; r < m; ++r)
      if (std::abs(a[r][col]) > std::abs(a[piv][col])) piv = r;
    std::swap(a[col], a[piv]);
    for (int r = 0; r < m; ++r) {
      if (r == col) continue;
      double f = a[r][col] / a[col][col];
      for (int j = col; j <= m; ++j) a[r][j] -= f * a[col][j];
    }
  }
  auto prim = [&](double t) {
    double s = 0, tp = t;
    for (int i = 0; i < m; ++i, tp *= t) s += a[i][m] / a[i][i] * tp / (i + 1);
    return s;
  };
  return half * (prim((hi - mid) / half) - prim((lo - mid) / half));
}

double integrate(const Curve& c, BdInterp m, double lo, double hi, int& degree) {
  degree = m == BdInterp::Pchip ? 3 : std::min<int>(3, int(c.x.size()) - 1);
  return m == BdInterp::Pchip ? integrate_pchip(c, lo, hi) : integrate_polyfit(c, degree, lo, hi);
}

enum class Axis { RateOverQuality, QualityOverRate };

BdResult bd(const std::vector<RdSample>& anchor, const std::vector<RdSample>& test, BdInterp m,
            Axis axis) {
  BdResult r;
  RdCurve a = monotone_front(anchor), t = monotone_front(test);
  r.dropped_anchor = a.dropped;
  r.dropped_test = t.dropped;
  if (a.kept.size() < 2 || t.kept.size() < 2) {
    r.reason = std::string(a.kept.size() < 2 ? "anchor" : "test") +
               " has fewer than 2 usable rate-distortion points";
    return r;
  }
  auto curve = [axis](const std::vector<RdSample>& pts) {
    Curve c;
    for (const RdSample& p : pts) {
      double lr = std::log10(p.rate);
      c.x.push_back(axis == Axis::RateOverQuality ? p.quality : lr);
      c.y.push_back(axis == Axis::RateOverQuality ? lr : p.quality);
    }
    return c;
  };
  Curve ca = curve(a.kept), ct = curve(t.kept);
  double lo = std::max(ca.x.front(), ct.x.front()), hi = std::min(ca.x.back(), ct.x.back());
  if (!(hi > lo)) {
    r.reason = axis == Axis::RateOverQuality ? "the curves' quality ranges do not overlap"
                                             : "the curves' rate ranges do not overlap";
    return r;
  }
  int deg_a = 0, deg_t = 0;
  double ia = integrate(ca, m, lo, hi, deg_a), it = integrate(ct, m, lo, hi, deg_t);
  r.degree = std::min(deg_a, deg_t);
  double avg = (it - ia) / (hi - lo);
  r.value = axis == Axis::RateOverQuality ? (std::pow(10.0, avg) - 1) * 100 : avg;
  return r;
}

}  // namespace

const char* to_string(BdInterp m) {
  return m == BdInterp::Pchip ? "pchip" : "cubic";
}

RdCurve monotone_front(std::vector<RdSample> points) {
  RdCurve c;
  std::stable_sort(points.begin(), points.end(),
                   [](const RdSample& a, const RdSample& b) { return a.rate < b.rate; });
  for (const RdSample& p : points) {
    bool usable = std::isfinite(p.rate) && p.rate > 0 && std::isfinite(p.quality);
    if (!usable ||
        (!c.kept.empty() && (p.quality <= c.kept.back().quality || p.rate <= c.kept.back().rate))) {
      c.dropped.push_back(p);
      continue;
    }
    c.kept.push_back(p);
  }
  return c;
}

BdResult bd_rate(const std::vector<RdSample>& anchor, const std::vector<RdSample>& test,
                 BdInterp m) {
  return bd(anchor, test, m, Axis::RateOverQuality);
}

BdResult bd_quality(const std::vector<RdSample>& anchor, const std::vector<RdSample>& test,
                    BdInterp m) {
  return bd(anchor, test, m, Axis::QualityOverRate);
}

}  // namespace nerv
