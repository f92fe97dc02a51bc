#include "eval/csv.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace nerv {
namespace {

// Splits one record; `in` supplies further lines when a quoted field spans lines.
std::vector<std::string> split_record(std::string line, std::istream& in, int& line_no) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (size_t i = 0;; ++i) {
    if (i == line.size()) {
      if (!quoted) break;
      std::string next;
      if (!std::getline(in, next)) throw Error("unterminated quoted field");
      ++line_no;
      line += "\n" + next;
    }
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  out.push_back(field);
  return out;
}

}  // namespace

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": " + std::strerror(errno));
  CsvTable t;
  t.path = path;
  std::string line;
  int line_no = 0;
  try {
    while (std::getline(in, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::vector<std::string> rec = split_record(line, in, line_no);
      if (t.header.empty()) {
        t.header = rec;
      } else if (rec.size() != t.header.size()) {
        throw Error("has " + std::to_string(rec.size()) + " fields, the header has " +
                    std::to_string(t.header.size()));
      } else {
        t.rows.push_back(std::move(rec));
      }
    }
  } catch (const Error& e) {
    throw Error(path + ":" + std::to_string(line_no) + ": " + e.what());
  }
  if (t.header.empty()) throw Error(path + ": empty file, expected a CSV header");
  return t;
}

size_t CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  std::string have;
  for (const std::string& h : header) have += (have.empty() ? "" : ",") + h;
  throw Error(path + ": no column '" + name + "' (columns: " + have + ")");
}

double CsvTable::number(size_t row, size_t col) const {
  const std::string& s = rows.at(row).at(col);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE)
    throw Error(path + ": row " + std::to_string(row + 1) + ", column '" + header[col] +
                "': not a number: '" + s + "'");
  return v;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace nerv
