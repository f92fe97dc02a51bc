// One exception type for every user-facing failure: its message is the one line the CLI prints.
#pragma once
#include <stdexcept>
#include <string>

namespace nerv {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace nerv
