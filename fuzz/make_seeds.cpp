// Writes the seed inputs of the entropy_decoders harness (its input layout is described in
// entropy_decoders.cpp) from real encoder output: coded blocks of both coders (§6.1, §6.2) and
// latents coded under a context model (§6.3). Usage: nerv_fuzz_seeds DIR
#include <fstream>
#include <random>
#include <string>

#include "codec/grid_codec.h"
#include "codec/symbol_coders.h"

namespace {

void put(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

// Symbols like quantised weights: a discretised Laplace of the given scale.
std::vector<int32_t> laplace_symbols(std::mt19937& rng, size_t n, double scale) {
  std::exponential_distribution<double> e(1.0 / scale);
  std::bernoulli_distribution sign(0.5);
  std::vector<int32_t> s(n);
  for (auto& v : s) v = int32_t(e(rng)) * (sign(rng) ? 1 : -1);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::string dir = argv[1];
  std::mt19937 rng(1);
  int k = 0;
  for (double scale : {0.3, 2.0, 40.0, 5000.0}) {
    std::vector<int32_t> s = laplace_symbols(rng, 300, scale);
    for (int coder : {0, 1}) {
      std::vector<uint8_t> coded = coder == 0 ? nerv::cabac_encode(s) : nerv::hts_encode(s);
      std::vector<uint8_t> in = {0, uint8_t(s.size()), uint8_t(s.size() >> 8), uint8_t(coder)};
      for (int i = 0; i < 4; ++i) in.push_back(uint8_t(coded.size() >> (8 * i)));
      in.insert(in.end(), coded.begin(), coded.end());
      put(dir + "/block" + std::to_string(k++), in);
    }
  }
  // Latents: hidden size 4, steps 2^-8 (the symbols are the Q8 integers), small weights.
  for (int hidden_scale : {0, 8, 60}) {
    std::vector<uint8_t> in = {2, 3, 8, 8};
    std::vector<std::vector<int32_t>> q;
    for (size_t n : {4 * 21, 4, 16, 4, 8, 2}) {
      q.emplace_back(laplace_symbols(rng, n, hidden_scale + 0.1));
      for (int32_t v : q.back()) in.push_back(uint8_t(int8_t(v)));
    }
    nerv::GridSteps steps;
    steps.shift = {0, 0, 8, 8};
    nerv::ArmInt arm = nerv::arm_from_symbols(4, q, steps, "seed");
    std::array<int64_t, 3> shape = {2, 12, 16};
    in.insert(in.end(), {1, 11, 15});  // shape_from: 1 + byte % n
    std::vector<int32_t> latents = laplace_symbols(rng, 2 * 12 * 16, 1.5);
    std::vector<uint8_t> coded = nerv::encode_level(arm, latents, shape);
    in.insert(in.end(), coded.begin(), coded.end());
    put(dir + "/latents" + std::to_string(hidden_scale), in);
  }
  return 0;
}
