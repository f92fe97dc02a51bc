// Compute settings of the network runtime. Debian's libtorch starts with one intra-op thread,
// so every command sets the count explicitly.
#pragma once

namespace nerv {

// Sets libtorch's intra-op thread count (0: one per hardware thread); returns the count used.
int set_compute_threads(int requested);

}  // namespace nerv
