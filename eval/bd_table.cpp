#include "eval/bd_table.h"

#include <map>

namespace nerv {

const std::vector<std::string> kBdMetrics = {"psnr_yuv", "psnr_y", "msssim"};
const std::vector<std::string> kImageBdMetrics = {"psnr_rgb", "msssim"};

double metric_of(const RdPoint& p, const std::string& metric) {
  if (metric == "psnr_y") return p.psnr_y;
  if (metric == "psnr_rgb") return p.psnr_rgb;
  if (metric == "msssim") return p.msssim;
  return p.psnr_yuv;
}

namespace {

BdResult mean_of(const std::vector<const BdResult*>& rs, int& used) {
  BdResult out;
  double sum = 0;
  used = 0;
  for (const BdResult* r : rs)
    if (r->value) sum += *r->value, ++used;
  if (used)
    out.value = sum / used;
  else
    out.reason = "no sequence has a value";
  return out;
}

nlohmann::json result_json(const BdResult& r) {
  nlohmann::json j;
  j["value"] = r.value ? nlohmann::json(*r.value) : nlohmann::json(nullptr);
  if (!r.value) j["reason"] = r.reason;
  return j;
}

nlohmann::json samples_json(const std::vector<RdSample>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const RdSample& s : v) a.push_back({{"bpp", s.rate}, {"quality", s.quality}});
  return a;
}

}  // namespace

std::vector<BdEntry> bd_entries(const std::vector<RdPoint>& points, const std::string& anchor,
                                const std::string& test, const std::vector<std::string>& metrics) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RdPoint*>> by_seq;
  for (const RdPoint& p : points) {
    if (!by_seq.count(p.sequence)) order.push_back(p.sequence);
    by_seq[p.sequence].push_back(&p);
  }
  std::vector<BdEntry> out;
  for (const std::string& metric : metrics) {
    std::vector<BdEntry> per_seq;
    for (const std::string& seq : order) {
      std::vector<RdSample> a, t;
      for (const RdPoint* p : by_seq[seq]) {
        if (!p->ok()) continue;
        if (p->codec == anchor) a.push_back({p->bpp, metric_of(*p, metric)});
        if (p->codec == test) t.push_back({p->bpp, metric_of(*p, metric)});
      }
      BdEntry e;
      e.sequence = seq;
      e.metric = metric;
      e.rate_pchip = bd_rate(a, t, BdInterp::Pchip);
      e.rate_cubic = bd_rate(a, t, BdInterp::Cubic);
      e.quality_pchip = bd_quality(a, t, BdInterp::Pchip);
      e.quality_cubic = bd_quality(a, t, BdInterp::Cubic);
      per_seq.push_back(e);
    }
    if (per_seq.empty()) continue;
    BdEntry avg;
    avg.sequence = "average";
    avg.metric = metric;
    auto collect = [&](BdResult BdEntry::*f) {
      std::vector<const BdResult*> rs;
      for (const BdEntry& e : per_seq) rs.push_back(&(e.*f));
      return rs;
    };
    int unused = 0;
    avg.rate_pchip = mean_of(collect(&BdEntry::rate_pchip), avg.sequences);
    avg.rate_cubic = mean_of(collect(&BdEntry::rate_cubic), unused);
    avg.quality_pchip = mean_of(collect(&BdEntry::quality_pchip), unused);
    avg.quality_cubic = mean_of(collect(&BdEntry::quality_cubic), unused);
    out.insert(out.end(), per_seq.begin(), per_seq.end());
    out.push_back(avg);
  }
  return out;
}

nlohmann::json to_json(const BdEntry& e) {
  nlohmann::json j = {{"sequence", e.sequence},
                      {"metric", e.metric},
                      {"bd_rate_percent_pchip", result_json(e.rate_pchip)},
                      {"bd_rate_percent_cubic", result_json(e.rate_cubic)},
                      {"bd_quality_pchip", result_json(e.quality_pchip)},
                      {"bd_quality_cubic", result_json(e.quality_cubic)}};
  if (e.sequence == "average") {
    j["sequences_with_value"] = e.sequences;
  } else {
    j["cubic_degree"] = e.rate_cubic.degree;
    j["dropped_anchor_points"] = samples_json(e.rate_pchip.dropped_anchor);
    j["dropped_test_points"] = samples_json(e.rate_pchip.dropped_test);
  }
  return j;
}

}  // namespace nerv
