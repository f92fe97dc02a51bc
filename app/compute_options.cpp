#include "app/compute_options.h"

#include "models/runtime.h"

namespace nerv::app {

void ComputeOptions::add_to(CLI::App& cmd, bool inference, int default_batch) {
  batch = default_batch;
  cmd.add_option("--threads", threads, "Compute threads (0: all cores)")->default_str("0");
  cmd.add_option("--device", device, "auto, cpu, cuda or cuda:N (the bitstream is the same)")
      ->default_str("auto");
  cmd.add_flag("--no-cuda-graphs", no_graphs,
               "Launch the networks op by op instead of replaying recorded CUDA graphs");
  if (!inference) return;
  cmd.add_option("--precision", precision,
                 "auto (fp16 on a GPU, fp32 on the CPU), fp32, fp16, bf16")
      ->default_str("auto");
  cmd.add_option("--batch", batch, "Frames per network run")
      ->check(CLI::Range(1, 256))
      ->default_str(std::to_string(default_batch));
}

int ComputeOptions::apply() const {
  set_cuda_graphs(!no_graphs);
  return set_compute_threads(threads);
}

torch::Device ComputeOptions::parsed_device() const {
  return parse_device(device);
}

torch::ScalarType ComputeOptions::dtype(const torch::Device& d) const {
  return parse_precision(precision, d);
}

}  // namespace nerv::app
