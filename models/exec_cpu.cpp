// GraphedStep and HostCopy for a libtorch without CUDA: plain calls, no copies.
#include "models/graphed_step.h"
#include "models/host_copy.h"

namespace nerv {

struct GraphedStep::Impl {
  std::function<void()> work;
};

GraphedStep::GraphedStep(torch::Device, const char*, std::function<void()> work)
    : impl_(new Impl{std::move(work)}) {}
GraphedStep::~GraphedStep() = default;
void GraphedStep::run() {
  impl_->work();
}

int64_t cuda_graphs_recorded(const std::string&) {
  return 0;
}
int64_t cuda_graph_failures() {
  return 0;
}

struct HostCopy::Impl {
  std::vector<torch::Tensor> tensors;
};

HostCopy::HostCopy() : impl_(new Impl) {}
HostCopy::~HostCopy() = default;
void HostCopy::start(std::vector<torch::Tensor> src) {
  impl_->tensors = std::move(src);
}
const std::vector<torch::Tensor>& HostCopy::wait() {
  return impl_->tensors;
}

}  // namespace nerv
