#include "models/runtime.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <atomic>
#include <thread>

#include "base/error.h"

namespace nerv {

int set_compute_threads(int requested) {
  int n = requested > 0 ? requested : int(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
  return n;
}

torch::Device parse_device(const std::string& spec) {
  if (spec == "cpu") return torch::kCPU;
  bool cuda = torch::cuda::is_available();
  if (spec == "auto") return cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (spec == "cuda" || spec.rfind("cuda:", 0) == 0) {
    if (!cuda) throw Error("--device " + spec + ": no CUDA GPU available to this build");
    int index = 0;
    if (spec.size() > 5) {
      char* end = nullptr;
      long v = std::strtol(spec.c_str() + 5, &end, 10);
      if (*end != '\0' || v < 0) throw Error("--device " + spec + ": bad GPU index");
      index = int(v);
    }
    if (index >= int(torch::cuda::device_count()))
      throw Error("--device " + spec + ": only " + std::to_string(torch::cuda::device_count()) +
                  " GPU(s) present");
    return torch::Device(torch::kCUDA, c10::DeviceIndex(index));
  }
  throw Error("--device " + spec + ": expected auto, cpu, cuda or cuda:N");
}

torch::ScalarType parse_precision(const std::string& spec, const torch::Device& device) {
  if (spec == "auto") return device.is_cuda() ? torch::kHalf : torch::kFloat;
  if (spec == "fp32") return torch::kFloat;
  if (spec == "fp16") return torch::kHalf;
  if (spec == "bf16") return torch::kBFloat16;
  throw Error("--precision " + spec + ": expected auto, fp32, fp16 or bf16");
}

const char* precision_name(torch::ScalarType t) {
  return t == torch::kHalf ? "fp16" : t == torch::kBFloat16 ? "bf16" : "fp32";
}

void set_cuda_autocast(bool on) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_enabled(at::kCUDA, on);
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  // The cast cache keeps the bf16 copy of each weight until cleared: across optimiser steps it
  // would feed every forward pass the weights of the first one.
  at::autocast::set_autocast_cache_enabled(false);
  at::autocast::clear_cache();
#else
  (void)on;
#endif
}

AutocastPause::AutocastPause() {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  was_on_ = at::autocast::is_autocast_enabled(at::kCUDA);
  if (was_on_) at::autocast::set_autocast_enabled(at::kCUDA, false);
#endif
}

AutocastPause::~AutocastPause() {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  if (was_on_) at::autocast::set_autocast_enabled(at::kCUDA, true);
#endif
}

namespace {
// Switched off from whichever thread sees a capture fail, read by every thread that runs one.
std::atomic<bool> graphs_on{true};
}  // namespace

void set_cuda_graphs(bool on) {
  graphs_on = on;
}
bool cuda_graphs_enabled() {
  return graphs_on;
}

}  // namespace nerv
