// `nervc compare --images`: still images coded by nervc (a lambda ladder of image presets) and by
// every image anchor (eval/image_anchor.h) at its quality ladder, all decoded to RGB and scored
// by the same code; points written as they finish (results.csv), then BD figures per image and
// anchor on RGB-PSNR and MS-SSIM (results.json), RD plots (rd_<image>.png), centre crops of every
// point (crops/) and report.html with a side-by-side crop viewer.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "eval/compare.h"
#include "eval/results.h"

namespace nerv {

// The default lambda ladder of image presets: about 0.1 to 1.5 bpp on Kodak.
extern const std::vector<double> kDefaultImageLambdas;

struct ImageCompareOptions {
  std::vector<std::string> inputs;            // image files, or folders of them
  std::vector<std::string> presets{"image"};  // preset names, or JSON config files
  std::vector<double> lambdas;                // empty: kDefaultImageLambdas
  std::vector<std::string> anchors;           // empty: every image anchor
  int epochs = 0;                             // 0: the presets' own
  uint64_t seed = 0;
  torch::Device device = torch::kCPU;
  std::string out_dir;
  bool resume = false;
  std::string nervc_version;
};

// The image files of `inputs` (folders expanded, sorted by name); throws nerv::Error if none.
std::vector<std::string> image_files(const std::vector<std::string>& inputs);

// Same contract as run_compare(): bad options throw before any point runs; a failed point is
// recorded with its reason and the rest go on.
std::vector<RdPoint> run_image_compare(const ImageCompareOptions& opt,
                                       const std::function<void(const CompareEvent&)>& on_event);

}  // namespace nerv
