// What train-prior and train-hyper share: their clip lists and their manifests' fields.
#pragma once
#include <string>
#include <vector>

namespace nerv::app {

// Files as given; a folder stands for the regular files in it, sorted. Throws nerv::Error for
// an empty folder.
std::vector<std::string> expand_clips(const std::vector<std::string>& paths);
// Throws nerv::Error for a clip in both lists.
void check_split(const std::vector<std::string>& train, const std::vector<std::string>& dev);
// " a b c"
std::string joined(const std::vector<std::string>& v);
// The time now, "2026-12-04T10:00:00Z".
std::string utc_now();

}  // namespace nerv::app
