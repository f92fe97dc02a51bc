#include "models/runtime.h"

#include <torch/torch.h>

#include <thread>

namespace nerv {

int set_compute_threads(int requested) {
  int n = requested > 0 ? requested : int(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
  return n;
}

}  // namespace nerv
