#include "app/prior_option.h"

#include "codec/prior_registry.h"

namespace nerv::app {

void add_prior_option(CLI::App& cmd, std::vector<std::string>& files) {
  cmd.add_option("--prior", files,
                 "A prior the stream was coded against (nervc train-prior), if not built in");
}

void load_priors(const std::vector<std::string>& files) {
  for (const std::string& f : files) add_known_prior_file(f);
}

}  // namespace nerv::app
