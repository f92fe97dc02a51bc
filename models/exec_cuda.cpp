// GraphedStep and HostCopy with CUDA streams, events and graphs (a CUDA-enabled libtorch).
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "models/graphed_step.h"
#include "models/host_copy.h"
#include "models/runtime.h"

namespace nerv {
namespace {

std::mutex counts_mutex;
std::map<std::string, int64_t> recorded;  // by site
int64_t failed = 0;

// Runs `f` on `side`, ordered after the work queued so far on the current stream and before
// the work queued on it later. Graphs are captured on a stream other than the default one, and
// the warm-up runs on the same stream as the capture, so that per-stream resources (cuBLAS
// workspaces) are made before the capture rather than inside it.
template <class F>
void on_side_stream(c10::cuda::CUDAStream side, F&& f) {
  c10::cuda::CUDAGuard guard(side.device_index());
  c10::cuda::CUDAStream main = c10::cuda::getCurrentCUDAStream(side.device_index());
  at::cuda::CUDAEvent ready, done;
  ready.record(main);
  ready.block(side);
  {
    c10::cuda::CUDAStreamGuard on_side(side);
    f();
  }
  done.record(side);
  done.block(main);
}

// After a failed capture: end it if the stream is still capturing and clear the error state.
void abandon_capture(cudaStream_t s) {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(s, &status) == cudaSuccess && status != cudaStreamCaptureStatusNone) {
    cudaGraph_t g = nullptr;
    cudaStreamEndCapture(s, &g);
    if (g) cudaGraphDestroy(g);
  }
  cudaGetLastError();
}

}  // namespace

struct GraphedStep::Impl {
  torch::Device device;
  std::string site;
  std::function<void()> work;
  bool enabled = false, warmed = false;
  std::optional<c10::cuda::CUDAStream> side;  // warm-up and capture
  std::unique_ptr<at::cuda::CUDAGraph> graph;
};

GraphedStep::GraphedStep(torch::Device device, const char* site, std::function<void()> work)
    : impl_(new Impl{device, site, std::move(work)}) {
  impl_->enabled = device.is_cuda() && cuda_graphs_enabled();
}

GraphedStep::~GraphedStep() = default;

int64_t cuda_graphs_recorded(const std::string& site) {
  std::lock_guard<std::mutex> lock(counts_mutex);
  if (!site.empty()) return recorded.count(site) ? recorded[site] : 0;
  int64_t n = 0;
  for (const auto& [name, count] : recorded) n += count;
  return n;
}

int64_t cuda_graph_failures() {
  std::lock_guard<std::mutex> lock(counts_mutex);
  return failed;
}

void GraphedStep::run() {
  Impl& s = *impl_;
  if (s.graph) return s.graph->replay();
  // Graphs may have been switched off since this object was made (a failed capture elsewhere).
  if (!s.enabled || !cuda_graphs_enabled()) return s.work();
  if (!s.side) s.side = c10::cuda::getStreamFromPool(false, s.device.index());
  if (!s.warmed) {
    on_side_stream(*s.side, [&] { s.work(); });
    s.warmed = true;
    return;
  }
  on_side_stream(*s.side, [&] {
    auto g = std::make_unique<at::cuda::CUDAGraph>();
    try {
      g->capture_begin();
      s.work();
      g->capture_end();
      s.graph = std::move(g);
      std::lock_guard<std::mutex> lock(counts_mutex);
      ++recorded[s.site];
    } catch (const std::exception& e) {
      // capture_end() hands the memory pool back to the allocator (recent libtorch does so
      // even for a broken capture); older ones may keep a reference to the graph object, so
      // it is deliberately never freed. Graphs stay off for the rest of the process: a capture
      // that failed once would fail again.
      try {
        g->capture_end();
      } catch (const std::exception&) {
      }
      abandon_capture(s.side->stream());
      g.release();
      set_cuda_graphs(false);
      s.enabled = false;
      std::string what = e.what();
      std::fprintf(stderr, "warning: CUDA graph capture failed (%s): %s; running op by op\n",
                   s.site.c_str(), what.substr(0, what.find('\n')).c_str());
      std::lock_guard<std::mutex> lock(counts_mutex);
      ++failed;
    }
  });
  if (s.graph)
    s.graph->replay();  // the capture recorded the work without running it
  else
    s.work();
}

struct HostCopy::Impl {
  std::optional<c10::cuda::CUDAStream> stream;
  at::cuda::CUDAEvent done;
  std::vector<torch::Tensor> src, host;
  bool on_device = false;
};

HostCopy::HostCopy() : impl_(new Impl) {}
HostCopy::~HostCopy() {
  if (impl_->on_device) impl_->done.synchronize();  // no copy may outlive its buffers
}

void HostCopy::start(std::vector<torch::Tensor> src) {
  Impl& s = *impl_;
  if (s.on_device) wait();  // a copy left in flight (after an error): its buffers are reused
  s.on_device = !src.empty() && src[0].is_cuda();
  if (!s.on_device) {
    s.host = std::move(src);
    return;
  }
  c10::DeviceIndex dev = src[0].device().index();
  c10::cuda::CUDAGuard guard(dev);
  if (!s.stream || s.stream->device_index() != dev)
    s.stream = c10::cuda::getStreamFromPool(false, dev);
  at::cuda::CUDAEvent ready;
  ready.record(c10::cuda::getCurrentCUDAStream(dev));
  ready.block(*s.stream);
  s.host.resize(src.size());
  {
    c10::cuda::CUDAStreamGuard on_copy(*s.stream);
    for (size_t i = 0; i < src.size(); ++i) {
      torch::Tensor& h = s.host[i];
      if (!h.defined() || h.sizes() != src[i].sizes() || h.dtype() != src[i].dtype())
        h = torch::empty(src[i].sizes(), src[i].options().device(torch::kCPU).pinned_memory(true));
      h.copy_(src[i], /*non_blocking=*/true);
    }
  }
  s.done.record(*s.stream);
  s.src = std::move(src);  // the device tensors stay allocated until the copy has landed
}

const std::vector<torch::Tensor>& HostCopy::wait() {
  Impl& s = *impl_;
  if (s.on_device) {
    s.done.synchronize();
    s.src.clear();
  }
  return s.host;
}

}  // namespace nerv
