// SSIM and MS-SSIM after Wang, Simoncelli & Bovik (2003): 11x11 Gaussian window (sigma 1.5),
// "valid" filtering (no padding), K1 = 0.01, K2 = 0.03, L = 255, 2x2 average pooling between
// scales (odd trailing rows/columns dropped), contrast-structure at scales 1-4 and full SSIM at
// scale 5, negative terms clamped to 0 before the weighted product.
#include <array>
#include <cmath>
#include <vector>

#include "base/error.h"
#include "io/metrics.h"

namespace nerv {
namespace {

constexpr int kWin = 11;
constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kC2 = (0.03 * 255) * (0.03 * 255);
constexpr std::array<double, 5> kWeights = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};

std::array<double, kWin> gaussian() {
  std::array<double, kWin> g{};
  double sum = 0;
  for (int i = 0; i < kWin; ++i) {
    double x = i - kWin / 2;
    g[i] = std::exp(-x * x / (2 * 1.5 * 1.5));
    sum += g[i];
  }
  for (double& v : g) v /= sum;
  return g;
}

// Separable valid-mode Gaussian filter of img (w x h) -> (w-10) x (h-10).
void filter(const std::vector<double>& img, int w, int h, std::vector<double>& tmp,
            std::vector<double>& out) {
  static const std::array<double, kWin> g = gaussian();
  int ow = w - kWin + 1, oh = h - kWin + 1;
  tmp.assign(size_t(ow) * h, 0.0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int k = 0; k < kWin; ++k) s += g[k] * img[size_t(y) * w + x + k];
      tmp[size_t(y) * ow + x] = s;
    }
  out.assign(size_t(ow) * oh, 0.0);
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int k = 0; k < kWin; ++k) s += g[k] * tmp[size_t(y + k) * ow + x];
      out[size_t(y) * ow + x] = s;
    }
}

// Mean SSIM and mean contrast-structure term of two images of one scale.
void ssim_cs(const std::vector<double>& a, const std::vector<double>& b, int w, int h,
             double& ssim_mean, double& cs_mean) {
  if (w < kWin || h < kWin) throw Error("image too small for an 11x11 SSIM window");
  size_t n = size_t(w) * h;
  std::vector<double> aa(n), bb(n), ab(n);
  for (size_t i = 0; i < n; ++i) {
    aa[i] = a[i] * a[i];
    bb[i] = b[i] * b[i];
    ab[i] = a[i] * b[i];
  }
  std::vector<double> tmp, mu_a, mu_b, s_aa, s_bb, s_ab;
  filter(a, w, h, tmp, mu_a);
  filter(b, w, h, tmp, mu_b);
  filter(aa, w, h, tmp, s_aa);
  filter(bb, w, h, tmp, s_bb);
  filter(ab, w, h, tmp, s_ab);
  double ssim_sum = 0, cs_sum = 0;
  for (size_t i = 0; i < mu_a.size(); ++i) {
    double ma = mu_a[i], mb = mu_b[i];
    double va = s_aa[i] - ma * ma, vb = s_bb[i] - mb * mb, cov = s_ab[i] - ma * mb;
    double cs = (2 * cov + kC2) / (va + vb + kC2);
    cs_sum += cs;
    ssim_sum += cs * (2 * ma * mb + kC1) / (ma * ma + mb * mb + kC1);
  }
  ssim_mean = ssim_sum / mu_a.size();
  cs_mean = cs_sum / mu_a.size();
}

std::vector<double> to_double(const uint8_t* p, size_t n) {
  return std::vector<double>(p, p + n);
}

void pool2x2(std::vector<double>& img, int& w, int& h) {
  int ow = w / 2, oh = h / 2;
  std::vector<double> out(size_t(ow) * oh);
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      size_t i = size_t(2 * y) * w + 2 * x;
      out[size_t(y) * ow + x] = 0.25 * (img[i] + img[i + 1] + img[i + w] + img[i + w + 1]);
    }
  img.swap(out);
  w = ow;
  h = oh;
}

}  // namespace

bool msssim_defined(int w, int h) {
  return std::min(w, h) > (kWin - 1) * 16;
}
bool ssim_defined(int w, int h) {
  return std::min(w, h) >= kWin;
}

double ssim(const uint8_t* a, const uint8_t* b, int w, int h) {
  double s = 0, cs = 0;
  ssim_cs(to_double(a, size_t(w) * h), to_double(b, size_t(w) * h), w, h, s, cs);
  return s;
}

double msssim(const uint8_t* a, const uint8_t* b, int w, int h) {
  if (!msssim_defined(w, h))
    throw Error("MS-SSIM needs frames whose short side exceeds 160 pixels");
  std::vector<double> x = to_double(a, size_t(w) * h), y = to_double(b, size_t(w) * h);
  double result = 1.0;
  for (int s = 0; s < 5; ++s) {
    double ss = 0, cs = 0;
    ssim_cs(x, y, w, h, ss, cs);
    double term = s < 4 ? cs : ss;
    result *= std::pow(std::max(term, 0.0), kWeights[s]);
    if (s < 4) {
      int w2 = w, h2 = h;
      pool2x2(x, w, h);
      pool2x2(y, w2, h2);
    }
  }
  return result;
}

}  // namespace nerv
