#include <cmath>
#include <cstdio>
#include <string>

#include "base/error.h"
#include "io/video_reader.h"

namespace nerv {

void parse_size(const std::string& s, int& w, int& h) {
  char x = 0, rest = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &w, &x, &h, &rest) != 3 || (x != 'x' && x != 'X'))
    throw Error("bad size '" + s + "' (expected WxH, e.g. 352x288)");
  if (w < 2 || h < 2 || w > 16384 || h > 16384)
    throw Error("size " + s + " is out of range (2..16384 per side)");
}

Rational parse_rational(const std::string& s) {
  int num = 0, den = 0;
  char slash = 0, rest = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &num, &slash, &den, &rest) == 3 && slash == '/' &&
      num > 0 && den > 0)
    return {num, den};
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !(v > 0) || v > 1000)
    throw Error("bad frame rate '" + s + "' (expected e.g. 30, 29.97 or 30000/1001)");
  if (std::fabs(v - std::round(v)) < 1e-9) return {int(std::round(v)), 1};
  return {int(std::lround(v * 1000)), 1000};
}

}  // namespace nerv
