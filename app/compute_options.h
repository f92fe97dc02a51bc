// Options of every command that runs the networks, declared once: --threads, --device,
// --no-cuda-graphs, and for the decoding commands --precision and --batch.
#pragma once
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <string>

namespace nerv::app {

struct ComputeOptions {
  int threads = 0;
  std::string device = "auto", precision = "auto";
  int batch = 4;
  bool no_graphs = false;

  // `inference`: also --precision and --batch (default `batch`).
  void add_to(CLI::App& cmd, bool inference, int default_batch = 4);
  // Sets the thread count and CUDA graphs; returns the thread count used.
  int apply() const;
  torch::Device parsed_device() const;
  torch::ScalarType dtype(const torch::Device& d) const;
};

}  // namespace nerv::app
