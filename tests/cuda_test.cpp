// The GPU paths against the CPU: the same stream decoded on the CPU (fp32) and on a GPU (fp32,
// fp16) gives the same quality within 0.05 dB, and a stream encoded on a GPU decodes on the
// CPU. Skipped where no CUDA device is present (CI, the CPU machine).
#include <cmath>

#include "codec/config.h"
#include "codec/decoder.h"
#include "codec/encoder.h"
#include "io/metrics.h"
#include "models/graphed_step.h"
#include "models/runtime.h"
#include "tests/test_util.h"

namespace nerv {
namespace {

const std::string kClip = "foreman_64x64_6f.y4m";

double decoded_psnr(const std::string& stream, torch::Device dev, torch::ScalarType dtype) {
  auto source = test::read_all(test::data(kClip));
  MetricsAccumulator acc;
  size_t i = 0;
  DecodeOptions opt;
  opt.device = dev;
  opt.dtype = dtype;
  decode_stream(
      stream, opt, [](const StreamHeader&) {}, [&](const Frame& f) { acc.add(source.at(i++), f); });
  return acc.summary().mean.psnr_yuv;
}

EncodeReport encode(const std::string& out, torch::Device dev) {
  auto reader = open_video_reader(test::data(kClip), {});
  EncodeOptions opt;
  opt.cfg = load_config_file(test::data("tiny_config.json"));
  opt.device = dev;
  return encode_video(*reader, out, opt, nullptr);
}

class Cuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  }
};

TEST_F(Cuda, GpuDecodeMatchesCpuDecode) {
  std::string stream = (test::scratch() / "cpu.nerv").string();
  EncodeReport r = encode(stream, torch::kCPU);
  double cpu = decoded_psnr(stream, torch::kCPU, torch::kFloat);
  EXPECT_DOUBLE_EQ(cpu, r.metrics.mean.psnr_yuv);
  double gpu32 = decoded_psnr(stream, torch::Device(torch::kCUDA, 0), torch::kFloat);
  double gpu16 = decoded_psnr(stream, torch::Device(torch::kCUDA, 0), torch::kHalf);
  std::printf("YUV-PSNR cpu fp32 %.4f, cuda fp32 %.4f, cuda fp16 %.4f\n", cpu, gpu32, gpu16);
  EXPECT_NEAR(gpu32, cpu, 0.05);
  EXPECT_NEAR(gpu16, gpu32, 0.05);
}

TEST_F(Cuda, GpuEncodedStreamDecodesOnCpu) {
  std::string stream = (test::scratch() / "gpu.nerv").string();
  EncodeReport r = encode(stream, torch::Device(torch::kCUDA, 0));
  double cpu = decoded_psnr(stream, torch::kCPU, torch::kFloat);
  std::printf("GPU-encoded: reported %.4f, CPU decode %.4f\n", r.metrics.mean.psnr_yuv, cpu);
  EXPECT_NEAR(cpu, r.metrics.mean.psnr_yuv, 0.05);
  EXPECT_GT(cpu, 24.0);
}

// CUDA graphs replay the work they recorded: switching them off changes nothing but speed.
TEST_F(Cuda, GraphedDecodeMatchesOpByOp) {
  std::string stream = (test::scratch() / "cpu.nerv").string();
  encode(stream, torch::kCPU);
  torch::Device gpu(torch::kCUDA, 0);
  int64_t before = cuda_graphs_recorded();
  double graphed = decoded_psnr(stream, gpu, torch::kHalf);
  EXPECT_GT(cuda_graphs_recorded(), before) << "the decoder recorded no graph";
  set_cuda_graphs(false);
  double eager = decoded_psnr(stream, gpu, torch::kHalf);
  set_cuda_graphs(true);
  std::printf("YUV-PSNR cuda fp16: graphed %.4f, op by op %.4f\n", graphed, eager);
  EXPECT_NEAR(graphed, eager, 0.001);
}

TEST_F(Cuda, GraphedFitMatchesOpByOp) {
  std::string a = (test::scratch() / "graphed.nerv").string(), b = a + ".eager.nerv";
  torch::Device gpu(torch::kCUDA, 0);
  int64_t before = cuda_graphs_recorded();
  EncodeReport graphed = encode(a, gpu);
  EXPECT_GT(cuda_graphs_recorded(), before) << "the fit recorded no graph";
  set_cuda_graphs(false);
  EncodeReport eager = encode(b, gpu);
  set_cuda_graphs(true);
  std::printf("GPU fit YUV-PSNR: graphed %.4f, op by op %.4f\n", graphed.metrics.mean.psnr_yuv,
              eager.metrics.mean.psnr_yuv);
  // Same steps; only the order of floating-point sums inside GPU kernels may differ.
  EXPECT_NEAR(graphed.metrics.mean.psnr_yuv, eager.metrics.mean.psnr_yuv, 0.1);
}

}  // namespace
}  // namespace nerv
