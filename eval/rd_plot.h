// Rate-distortion plots drawn by gnuplot (Debian's gnuplot-nox, pngcairo terminal): a
// well-kept plotting tool, already packaged, that needs no display and no language runtime.
#pragma once
#include <string>
#include <vector>

#include "eval/results.h"

namespace nerv {

// "gnuplot 5.4 patchlevel 4", or throws nerv::Error saying how to install it.
std::string gnuplot_version();

struct RdSeries {
  std::string title;                   // legend entry
  std::vector<const RdPoint*> points;  // ok points of one codec; labelled by their setting
};

// Two panels side by side, PSNR (YUV 6:1:1, or RGB for images) and MS-SSIM (or SSIM) against
// bits per pixel (log scale), one curve per series. Written to a temporary name, renamed when
// gnuplot succeeded.
void plot_rd(const std::string& png_path, const std::string& title,
             const std::vector<RdSeries>& series, bool rgb = false);

}  // namespace nerv
