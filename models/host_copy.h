// Device-to-host copies on a stream of their own, so that a batch's frames travel to the host
// while the next batch is computed. start() queues the copies behind the work already queued
// on the current stream and returns at once; wait() blocks until they have landed in pinned
// host buffers, which are reused from call to call. For tensors already on the CPU both are
// free: wait() returns the tensors themselves.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <vector>

namespace nerv {

class HostCopy {
 public:
  HostCopy();
  ~HostCopy();
  HostCopy(const HostCopy&) = delete;
  HostCopy& operator=(const HostCopy&) = delete;

  void start(std::vector<torch::Tensor> src);
  const std::vector<torch::Tensor>& wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nerv
