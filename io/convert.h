// Pixel-format conversion between nervc frames through libswscale, using the frame's colour
// matrix and range (the one convention everywhere: see docs/colour.md).
#pragma once
#include "io/frame.h"

struct SwsContext;

namespace nerv {

class Converter {
 public:
  Converter() = default;
  ~Converter();
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  // dst becomes `to`, same size, matrix and range as src. RGB is always full range.
  void convert(const Frame& src, PixFmt to, Frame& dst);

 private:
  SwsContext* ctx_ = nullptr;  // cached between calls of the same geometry
};

}  // namespace nerv
