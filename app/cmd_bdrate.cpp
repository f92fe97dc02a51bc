// nervc bdrate ANCHOR.csv TEST.csv: Bjøntegaard-delta rate and quality between two RD curves.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "base/error.h"
#include "eval/bd_rate.h"
#include "eval/csv.h"

namespace nerv::app {
namespace {

std::vector<RdSample> load_curve(const std::string& path, const std::string& rate,
                                 const std::string& metric) {
  CsvTable t = read_csv(path);
  size_t rc = t.column(rate), qc = t.column(metric);
  if (t.rows.size() < 2)
    throw Error(path + ": needs at least 2 rate-distortion points, has " +
                std::to_string(t.rows.size()));
  std::vector<RdSample> out;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    RdSample s{t.number(r, rc), t.number(r, qc)};
    if (!(s.rate > 0)) throw Error(path + ": row " + std::to_string(r + 1) + ": rate must be > 0");
    out.push_back(s);
  }
  return out;
}

nlohmann::json result_json(const BdResult& r) {
  nlohmann::json j = {{"value", r.value ? nlohmann::json(*r.value) : nlohmann::json(nullptr)}};
  if (!r.value) j["reason"] = r.reason;
  return j;
}

std::string show(const BdResult& r, const char* unit) {
  if (!r.value) return "n/a (" + r.reason + ")";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.7f%s", *r.value, unit);
  return buf;
}

}  // namespace

Run add_bdrate(CLI::App& app) {
  auto* cmd = app.add_subcommand("bdrate", "Bjontegaard-delta rate and quality of TEST vs ANCHOR");
  struct Args {
    std::string anchor, test, metric = "psnr", rate = "bitrate";
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("ANCHOR", a->anchor, "CSV with a header and columns bitrate,psnr")->required();
  cmd->add_option("TEST", a->test, "CSV of the codec under test, same columns")->required();
  cmd->add_option("--metric", a->metric, "Quality column (e.g. psnr_yuv, msssim)")
      ->default_str("psnr");
  cmd->add_option("--rate", a->rate, "Rate column")->default_str("bitrate");
  cmd->add_flag("--json", a->json, "Print JSON");
  return [a] {
    auto anchor = load_curve(a->anchor, a->rate, a->metric);
    auto test = load_curve(a->test, a->rate, a->metric);
    BdResult rp = bd_rate(anchor, test, BdInterp::Pchip),
             rc = bd_rate(anchor, test, BdInterp::Cubic);
    BdResult qp = bd_quality(anchor, test, BdInterp::Pchip),
             qc = bd_quality(anchor, test, BdInterp::Cubic);
    if (a->json) {
      nlohmann::json j = {{"metric", a->metric},
                          {"bd_rate_percent_pchip", result_json(rp)},
                          {"bd_rate_percent_cubic", result_json(rc)},
                          {"bd_quality_pchip", result_json(qp)},
                          {"bd_quality_cubic", result_json(qc)},
                          {"dropped_anchor_points", rp.dropped_anchor.size()},
                          {"dropped_test_points", rp.dropped_test.size()}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("BD-rate (PCHIP):    %s\n", show(rp, " %").c_str());
      std::printf("BD-rate (cubic):    %s\n", show(rc, " %").c_str());
      std::printf("BD-%s (PCHIP): %s\n", a->metric.c_str(), show(qp, "").c_str());
      std::printf("BD-%s (cubic): %s\n", a->metric.c_str(), show(qc, "").c_str());
      for (const RdSample& s : rp.dropped_anchor)
        std::printf("dropped anchor point (rate %g, %s %g): not on the monotone front\n", s.rate,
                    a->metric.c_str(), s.quality);
      for (const RdSample& s : rp.dropped_test)
        std::printf("dropped test point (rate %g, %s %g): not on the monotone front\n", s.rate,
                    a->metric.c_str(), s.quality);
    }
    return rp.value ? 0 : 1;
  };
}

}  // namespace nerv::app
