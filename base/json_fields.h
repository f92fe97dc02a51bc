// Strict reading of a JSON object: typed fields with ranges, and an error for any key that
// nobody asked for (a typo in a config must not be silently ignored).
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"

namespace nerv {

class JsonFields {
 public:
  JsonFields(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) throw Error(where_ + ": expected a JSON object");
  }

  bool has(const std::string& key) const { return j_.contains(key); }

  int integer(const std::string& key, int lo, int hi, std::optional<int> def = std::nullopt) {
    const nlohmann::json* v = find(key, def.has_value());
    if (!v) return *def;
    if (!v->is_number_integer()) throw bad(key, "an integer");
    long long x = v->get<long long>();
    if (x < lo || x > hi) throw range(key, lo, hi);
    return int(x);
  }

  double number(const std::string& key, double lo, double hi,
                std::optional<double> def = std::nullopt) {
    const nlohmann::json* v = find(key, def.has_value());
    if (!v) return *def;
    if (!v->is_number()) throw bad(key, "a number");
    double x = v->get<double>();
    if (!(x >= lo && x <= hi)) throw range(key, lo, hi);
    return x;
  }

  bool boolean(const std::string& key, std::optional<bool> def = std::nullopt) {
    const nlohmann::json* v = find(key, def.has_value());
    if (!v) return *def;
    if (!v->is_boolean()) throw bad(key, "true or false");
    return v->get<bool>();
  }

  std::string string(const std::string& key, std::optional<std::string> def = std::nullopt) {
    const nlohmann::json* v = find(key, def.has_value());
    if (!v) return *def;
    if (!v->is_string()) throw bad(key, "a string");
    return v->get<std::string>();
  }

  std::vector<int> integers(const std::string& key, int lo, int hi, size_t min_len,
                            size_t max_len) {
    const nlohmann::json* v = find(key, false);
    if (!v->is_array() || v->size() < min_len || v->size() > max_len)
      throw bad(key, "an array of " + std::to_string(min_len) + ".." + std::to_string(max_len) +
                         " integers");
    std::vector<int> out;
    for (const auto& e : *v) {
      if (!e.is_number_integer() || e.get<long long>() < lo || e.get<long long>() > hi)
        throw range(key, lo, hi);
      out.push_back(int(e.get<long long>()));
    }
    return out;
  }

  // Any JSON value, for shapes the typed readers do not cover.
  const nlohmann::json& value(const std::string& key) { return *find(key, false); }

  const nlohmann::json& object(const std::string& key) {
    const nlohmann::json* v = find(key, false);
    if (!v->is_object()) throw bad(key, "an object");
    return *v;
  }

  // Call after reading every field: rejects keys that were not read.
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) throw Error(where_ + ": unknown key '" + it.key() + "'");
  }

 private:
  const nlohmann::json* find(const std::string& key, bool optional) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) {
      if (optional) return nullptr;
      throw Error(where_ + ": missing key '" + key + "'");
    }
    return &*it;
  }
  Error bad(const std::string& key, const std::string& what) const {
    return Error(where_ + "." + key + ": expected " + what);
  }
  template <typename T>
  Error range(const std::string& key, T lo, T hi) const {
    std::ostringstream s;
    s << where_ << "." << key << ": out of range [" << lo << ", " << hi << "]";
    return Error(s.str());
  }

  const nlohmann::json& j_;
  std::string where_;
  std::set<std::string> seen_;
};

}  // namespace nerv
