// Compute settings of the network runtime: threads, device and precision. Debian's libtorch
// starts with one intra-op thread, so every command sets the count explicitly.
#pragma once
#include <torch/torch.h>

#include <string>

namespace nerv {

// Sets libtorch's intra-op thread count (0: one per hardware thread); returns the count used.
int set_compute_threads(int requested);

// "auto" (a GPU when one is present), "cpu", "cuda" or "cuda:N". Throws if unavailable.
torch::Device parse_device(const std::string& spec);

// Inference precision: "auto" (fp16 on a GPU, fp32 on the CPU), "fp32", "fp16", "bf16".
torch::ScalarType parse_precision(const std::string& spec, const torch::Device& device);
const char* precision_name(torch::ScalarType t);

// Turns mixed-precision (bf16 autocast) training on or off for CUDA; a no-op elsewhere and
// with libtorch versions before 2.4, which lack the per-device autocast API.
void set_cuda_autocast(bool on);

// CUDA autocast off for the scope, restored after: for losses that need fp32 arithmetic (the
// SSIM variances) inside an autocast forward pass.
class AutocastPause {
 public:
  AutocastPause();
  ~AutocastPause();

 private:
  bool was_on_ = false;
};

// CUDA graphs for the training step and the decoder's batches (GraphedStep): on by default
// where the build has them; switching them off gives the same results, launched op by op.
void set_cuda_graphs(bool on);
bool cuda_graphs_enabled();

}  // namespace nerv
