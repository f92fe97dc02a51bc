// --prior FILE for the commands that decode (decode, play, info, bench-decode): priors a
// stream may have been coded against (bitstream 1.5), besides the built-in ones.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace nerv::app {

void add_prior_option(CLI::App& cmd, std::vector<std::string>& files);
// Loads each file and makes it known to decoders; throws nerv::Error naming a bad one.
void load_priors(const std::vector<std::string>& files);

}  // namespace nerv::app
