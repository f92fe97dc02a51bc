// The latent-grid family: its integer context model and latent coder round trips, the training
// rate estimate against the bytes written, and strict configs. The family's end-to-end checks
// (round trip, determinism, damage) run in codec_test.cpp with the `grid` parameter.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "base/error.h"
#include "codec/bitstream.h"
#include "codec/config.h"
#include "codec/encoder.h"
#include "codec/grid_codec.h"
#include "codec/laplace_coder.h"
#include "codec/latent_proxy.h"
#include "codec/segment_decoder.h"
#include "models/latent_grid.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

// A context model with random small weights, as the decoder would build it.
ArmInt random_arm(int hidden, uint32_t seed, GridSteps* steps = nullptr) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> w(-40, 40);
  std::vector<std::vector<int32_t>> q = {
      std::vector<int32_t>(size_t(hidden) * kArmContext), std::vector<int32_t>(size_t(hidden)),
      std::vector<int32_t>(size_t(hidden) * hidden),      std::vector<int32_t>(size_t(hidden)),
      std::vector<int32_t>(2 * size_t(hidden)),           std::vector<int32_t>(2)};
  for (auto& t : q)
    for (auto& v : t) v = w(rng);
  GridSteps s;
  s.shift = {10, 10, 6, 4};
  if (steps) *steps = s;
  return arm_from_symbols(hidden, q, s, "test");
}

TEST(GridLatents, LevelRoundTripsUnderTheIntegerContextModel) {
  std::mt19937 rng(3);
  std::geometric_distribution<int> mag(0.4);
  std::bernoulli_distribution sign(0.5);
  for (int hidden : {2, 8, 16}) {
    ArmInt arm = random_arm(hidden, uint32_t(hidden));
    std::array<int64_t, 3> shape = {3, 17, 23};
    std::vector<int32_t> g(size_t(3 * 17 * 23));
    for (auto& v : g) v = mag(rng) * (sign(rng) ? 1 : -1);
    g[5] = 70000;  // far outside any window: an escape
    g[6] = -kMaxLatent;
    double bits = 0;
    std::vector<uint8_t> b = encode_level(arm, g, shape, &bits);
    EXPECT_EQ(decode_level(arm, b.data(), b.size(), shape, "test"), g);
    EXPECT_NEAR(double(b.size()) * 8, bits, 0.001 * bits + 64);
  }
}

// A chained level (§8.3): its first frame is coded in the context of a frame before it, which
// the decoder must be given; a frame of zeros is the same as none.
TEST(GridLatents, LevelRoundTripsWithTheFrameBefore) {
  ArmInt arm = random_arm(8, 21);
  std::array<int64_t, 3> shape = {2, 9, 11};
  std::mt19937 rng(9);
  std::vector<int32_t> g(size_t(2 * 9 * 11)), before(size_t(9 * 11)), zeros(before.size(), 0);
  for (auto& v : g) v = int32_t(rng() % 13) - 6;
  for (auto& v : before) v = int32_t(rng() % 13) - 6;
  std::vector<uint8_t> b = encode_level(arm, g, shape, nullptr, before.data());
  EXPECT_EQ(decode_level(arm, b.data(), b.size(), shape, "test", before.data()), g);
  try {  // without the frame before, the same bytes mean other latents (or nothing valid)
    EXPECT_NE(decode_level(arm, b.data(), b.size(), shape, "test"), g);
  } catch (const Error&) {
  }
  EXPECT_EQ(encode_level(arm, g, shape, nullptr, zeros.data()), encode_level(arm, g, shape));
}

TEST(GridLatents, ContextModelIsCausal) {
  // A latent's prediction reads only latents before it in raster order: changing any later
  // latent never changes it.
  ArmInt arm = random_arm(8, 7);
  const int T = 2, H = 6, W = 7;
  std::vector<int32_t> g(size_t(T * H * W));
  std::mt19937 rng(1);
  for (auto& v : g) v = int32_t(rng() % 9) - 4;
  for (int i = 0; i < T * H * W; ++i) {
    int t = i / (H * W), y = (i / W) % H, x = i % W;
    int32_t mu, mu2;
    int k, k2;
    arm.predict(g.data(), H, W, t, y, x, mu, k);
    std::vector<int32_t> h = g;
    for (int j = i; j < T * H * W; ++j) h[size_t(j)] += 5;
    arm.predict(h.data(), H, W, t, y, x, mu2, k2);
    EXPECT_EQ(mu, mu2);
    EXPECT_EQ(k, k2);
  }
}

TEST(GridLatents, CorruptLevelIsACleanError) {
  ArmInt arm = random_arm(8, 11);
  std::array<int64_t, 3> shape = {2, 9, 9};
  std::mt19937 rng(5);
  int errors = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> junk(size_t(rng() % 64));
    for (auto& b : junk) b = uint8_t(rng());
    try {
      std::vector<int32_t> g = decode_level(arm, junk.data(), junk.size(), shape, "test");
      ASSERT_EQ(g.size(), size_t(2 * 9 * 9));
      for (int32_t v : g) ASSERT_LE(std::abs(v), kMaxLatent);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("test: latent coder"), std::string::npos) << e.what();
      ++errors;
    }
  }
  // Junk either decodes to in-range latents of the right count or is refused by name (some
  // are: escapes that run too long); nothing else happens (no other exception, crash, hang).
  EXPECT_GT(errors, 0);
}

TEST(GridLatents, ContextModelWeightsOutOfRangeAreRefused) {
  std::vector<std::vector<int32_t>> q = {std::vector<int32_t>(4 * kArmContext),
                                         std::vector<int32_t>(4),
                                         std::vector<int32_t>(16),
                                         std::vector<int32_t>(4),
                                         std::vector<int32_t>(8),
                                         std::vector<int32_t>(2)};
  q[0][3] = 1 << 20;  // times 2^(8 - 0): far beyond 2^20 in Q8
  GridSteps s;
  s.shift = {8, 8, 0, 0};
  EXPECT_THROW(arm_from_symbols(4, q, s, "test"), Error);
}

// The encoder trains on the float rate estimate; the bytes written come from the integer
// model. They must agree closely or lambda would not mean what it says.
TEST(GridRate, EstimateMatchesTheLatentBytesWritten) {
  std::string out = (std::filesystem::temp_directory_path() /
                     ("nervc-grid-rate-" + std::to_string(getpid()) + ".nerv"))
                        .string();
  auto reader = open_video_reader(test::data("foreman_64x64_6f.y4m"), {});
  EncodeOptions opt;
  opt.cfg = load_config_file(test::data("tiny_grid_config.json"));
  ASSERT_TRUE(opt.cfg.model.value("chain_context", false));
  opt.cfg.intra_period = 2;  // an intra segment, then a residual one chained to it
  encode_video(*reader, out, opt, nullptr);

  BitstreamReader r(out);
  SegmentDecoder dec(r.header());
  BitstreamReader::Chunk c;
  std::vector<torch::Tensor> before;  // the previous segment's last latent frames
  for (int segment = 0; segment < 2; ++segment) {
    while (r.next(c) && c.kind != BitstreamReader::Chunk::Segment) {
    }
    ASSERT_EQ(int(c.segment.index), segment);
    std::vector<TensorStats> stats;
    dec.rebuild(c.segment, c.payload, &stats);
    auto& grid = dynamic_cast<GridDecoder&>(dec.family());
    double written = 0;
    for (const TensorStats& s : stats)
      if (s.coder == "laplace") written += 8.0 * double(s.bytes - 4);  // less the size field
    std::vector<torch::Tensor> lat;
    auto shapes = latent_shapes(grid.model().config(), 64, 64, int(c.segment.frames));
    for (size_t l = 0; l < shapes.size(); ++l)
      lat.push_back(torch::tensor(grid.latents()[l], torch::kInt)
                        .reshape({shapes[l][0], shapes[l][1], shapes[l][2]})
                        .to(torch::kFloat));
    torch::NoGradGuard ng;
    double estimate = grid.model().rate_bits(lat, before).item<double>();
    double exact = 0;  // what the integer model costs, before the coder's own overhead
    for (size_t l = 0; l < shapes.size(); ++l) {
      std::vector<int32_t> ahead;
      if (!before.empty()) {
        torch::Tensor b = before[l].to(torch::kInt).contiguous();
        ahead.assign(b.data_ptr<int32_t>(), b.data_ptr<int32_t>() + b.numel());
      }
      encode_level(grid.arm(), grid.latents()[l], shapes[l], &exact,
                   ahead.empty() ? nullptr : ahead.data());
    }
    std::printf("segment %d latent bits: estimate %.0f, integer model %.0f, written %.0f\n",
                segment, estimate, exact, written);
    EXPECT_GT(written, 200.0);  // a real amount of latent information
    // The estimate sees the coder's mean and scale steps (ties included), so it differs from
    // the integer model by float rounding only; the rest is the range coder's own overhead.
    EXPECT_NEAR(estimate, exact, 0.002 * exact);
    EXPECT_NEAR(estimate, written, 0.03 * written)
        << "estimate " << estimate << " written " << written;
    before.clear();
    for (auto& l : lat) before.push_back(l.narrow(0, l.size(0) - 1, 1).clone());
  }
  std::filesystem::remove(out);
}

// The fused CPU rate and the tensor-operation rate (used on GPUs) are the same function: same
// bits and same gradients for the latents and every context-model weight.
TEST(GridRate, FusedRateMatchesTensorOperations) {
  torch::manual_seed(4);
  nlohmann::json j = {
      {"arch", "grid"}, {"levels", {{1, 1}, {2, 2}}}, {"synthesis", {8}}, {"arm_hidden", 6}};
  LatentGrid m(parse_latent_grid_config(j), 40, 30);
  {
    torch::NoGradGuard ng;  // a context model that predicts something
    for (auto& [name, t] : m.arm_tensors()) t.normal_(0, 0.4);
  }
  std::vector<torch::Tensor> lat, before;
  for (auto& s : latent_shapes(m.config(), 40, 30, 5)) {
    lat.push_back((torch::randn({s[0], s[1], s[2]}) * 3).requires_grad_(true));
    before.push_back(torch::round(torch::randn({1, s[1], s[2]}) * 3));
  }
  before[1] = torch::Tensor();  // a level without a frame before
  auto grads = [&](bool fused, const std::vector<torch::Tensor>& ahead) {
    for (auto& l : lat) l.mutable_grad() = torch::Tensor();
    for (auto& [name, t] : m.arm_tensors()) t.mutable_grad() = torch::Tensor();
    torch::Tensor bits = fused ? m.rate_bits(lat, ahead) : m.rate_bits_ops(lat, ahead);
    bits.backward();
    std::vector<torch::Tensor> g = {bits.detach().clone()};
    for (auto& l : lat) g.push_back(l.grad().clone());
    for (auto& [name, t] : m.arm_tensors()) g.push_back(t.grad().clone());
    return g;
  };
  for (const auto& ahead : {std::vector<torch::Tensor>{}, before}) {
    std::vector<torch::Tensor> a = grads(true, ahead), b = grads(false, ahead);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_NEAR(a[0].item<double>(), b[0].item<double>(), 1e-4 * b[0].item<double>());
    for (size_t i = 1; i < a.size(); ++i)  // float sums in another order: relative to the norm
      EXPECT_LT((a[i] - b[i]).norm().item<double>(), 1e-4 * b[i].norm().item<double>() + 1e-6)
          << i << ": max difference " << (a[i] - b[i]).abs().max().item<double>();
  }
  // The frame before is context only: it changes the bits of level 0, not what is counted.
  torch::NoGradGuard ng;
  EXPECT_NE(m.rate_bits(lat, before).item<double>(), m.rate_bits(lat).item<double>());
}

// With a context model predicting a scale below the coder's least, the rate still pulls the
// scale up, also for a latent beyond the 16-bit cap (a zero gradient there used to trap such
// latents at 16 bits for the rest of training); the latent itself is pulled towards the mean
// only below the cap (beyond it, it costs about the same wherever it is).
TEST(GridRate, GradientNeverVanishes) {
  nlohmann::json j = {
      {"arch", "grid"}, {"levels", {{1, 1}}}, {"synthesis", {4}}, {"arm_hidden", 2}};
  LatentGrid m(parse_latent_grid_config(j), 6, 2);
  for (bool fused : {true, false}) {
    double scale_grad[2];
    for (float far : {6.0f, 0.0f}) {
      {
        torch::NoGradGuard ng;  // mean 0, log2 scale -6 whatever the context
        for (auto& [name, t] : m.arm_tensors()) t.zero_();
        m.arm_tensors()[5].second[1] = -6.0;
      }
      torch::Tensor lat = torch::tensor({{{far, 0.9f, 0.0f}}}).requires_grad_(true);
      for (auto& [name, t] : m.arm_tensors()) t.mutable_grad() = torch::Tensor();
      torch::Tensor bits = fused ? m.rate_bits({lat}) : m.rate_bits_ops({lat});
      bits.backward();
      if (far != 0) {
        EXPECT_GT(bits.item<double>(), 16.0) << fused;
        EXPECT_EQ(lat.grad()[0][0][0].item<double>(), 0.0) << fused;
      }
      EXPECT_GT(lat.grad()[0][0][1].item<double>(), 1.0) << fused;
      scale_grad[far != 0] = m.arm_tensors()[5].second.grad()[1].item<double>();
    }
    EXPECT_LT(scale_grad[0], -1.0) << fused;                 // the latent at 0.9 alone
    EXPECT_LT(scale_grad[1], scale_grad[0] - 1.0) << fused;  // and the one beyond the cap
  }
}

TEST(GridConfig, AbsurdValuesAreRefused) {
  nlohmann::json base = nlohmann::json::parse(std::ifstream(test::data("tiny_grid_config.json")));
  auto refused = [&](const char* key, nlohmann::json value, const char* msg) {
    nlohmann::json j = base;
    j["model"][key] = value;
    try {
      parse_codec_config(j, "cfg");
      ADD_FAILURE() << key << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
    }
  };
  refused("levels", nlohmann::json::array(), "levels");
  refused("levels", {{3, 1}}, "powers of two");
  refused("levels", {{1 << 20, 1}}, "powers of two");
  refused("levels", {{1, 1, 1}}, "pairs");
  refused("synthesis", {100000}, "synthesis");
  refused("arm_hidden", 1000, "arm_hidden");
  refused("refine", -1, "refine");
  refused("colour", 1, "unknown key");
}

TEST(GridConfig, ProxyIsNamedAndRoundTrips) {
  nlohmann::json j = nlohmann::json::parse(std::ifstream(test::data("tiny_grid_config.json")));
  EXPECT_EQ(parse_codec_config(j, "cfg").train.proxy, Proxy::SoftRound);  // the default
  j["train"]["proxy"] = "uniform";
  CodecConfig c = parse_codec_config(j, "cfg");
  EXPECT_EQ(c.train.proxy, Proxy::Uniform);
  EXPECT_EQ(parse_codec_config(config_json(c), "again").train.proxy, Proxy::Uniform);
  j["train"]["proxy"] = "gumbel";
  try {
    parse_codec_config(j, "cfg");
    ADD_FAILURE() << "proxy gumbel accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cfg.train.proxy: \"gumbel\" is not soft_round or uniform");
  }
}

TEST(LatentProxy, SoftRoundGoesFromIdentityToRounding) {
  torch::Tensor x = torch::linspace(-3.0, 3.0, 601, torch::kDouble);
  EXPECT_LT((soft_round(x, 50.0) - x).abs().max().item<double>(), 1e-3);
  torch::Tensor off_half =
      x.masked_select((x - x.round()).abs() < 0.4);  // away from the rounding edges
  EXPECT_LT((soft_round(off_half, 0.02) - off_half.round()).abs().max().item<double>(), 1e-3);
  // Continuous across the integers, where floor() jumps, and increasing with a finite slope.
  torch::Tensor y = soft_round(x, 0.3);
  EXPECT_LT((y.slice(0, 1) - y.slice(0, 0, -1)).abs().max().item<double>(), 0.05);
  torch::Tensor v = torch::tensor({-1.3, 0.0, 0.45, 2.5}, torch::kDouble).requires_grad_(true);
  soft_round(v, 0.3).sum().backward();
  EXPECT_TRUE((v.grad() > 0).all().item<bool>()) << v.grad();
  EXPECT_TRUE(torch::isfinite(v.grad()).all().item<bool>());
}

TEST(LatentProxy, NoiseShrinksAsTrainingProgressesAndFollowsTheSeed) {
  torch::Tensor x = torch::randint(-4, 5, {20000}, torch::kFloat);  // integers: round(x) == x
  auto dev = [&](Proxy p, double progress, uint64_t seed) {
    at::Generator gen = at::detail::createCPUGenerator(seed);
    return proxy_round(x, p, progress, gen);
  };
  auto mean_abs = [&](Proxy p, double progress) {
    return (dev(p, progress, 1) - x).abs().mean().item<double>();
  };
  EXPECT_NEAR(mean_abs(Proxy::Uniform, 0.0), 0.25, 0.01);
  EXPECT_LE((dev(Proxy::Uniform, 0.0, 1) - x).abs().max().item<double>(), 0.5);
  double early = mean_abs(Proxy::SoftRound, 0.0), late = mean_abs(Proxy::SoftRound, 1.0);
  EXPECT_LT(late, early);
  EXPECT_LT(early, 0.25);
  EXPECT_TRUE(torch::equal(dev(Proxy::SoftRound, 0.5, 7), dev(Proxy::SoftRound, 0.5, 7)));
  EXPECT_FALSE(torch::equal(dev(Proxy::SoftRound, 0.5, 7), dev(Proxy::SoftRound, 0.5, 8)));
}

}  // namespace
}  // namespace nerv
