// A fixed sequence of device work recorded once and replayed with one launch (a CUDA graph):
// for small networks the GPU otherwise waits on the host launching thousands of tiny kernels.
// The work must read and write only tensors that outlive the object (its "static" tensors) and
// must not need values on the host. Where graphs are not available (the CPU, a CPU-only
// libtorch, graphs switched off with set_cuda_graphs(false), or a capture that failed) run()
// simply calls the function: the same work, launched op by op.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>

namespace nerv {

class GraphedStep {
 public:
  // `site` names the caller in the counts below ("fit", "decode", ...).
  GraphedStep(torch::Device device, const char* site, std::function<void()> work);
  ~GraphedStep();
  GraphedStep(const GraphedStep&) = delete;
  GraphedStep& operator=(const GraphedStep&) = delete;

  // The first call runs the work op by op (warm-up: lazy initialisation, allocator); the second
  // records it and replays the recording; later calls replay it.
  void run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Graphs recorded by this process so far at `site` (all sites for ""), and captures that
// failed (after which graphs are off for the process); 0 where graphs are not available. How
// tests and benchmarks tell which path was taken.
int64_t cuda_graphs_recorded(const std::string& site = "");
int64_t cuda_graph_failures();

}  // namespace nerv
