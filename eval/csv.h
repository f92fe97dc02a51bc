// A small RFC 4180 CSV reader and field writer: enough for nervc's results files and the
// two-column files `nervc bdrate` reads.
#pragma once
#include <string>
#include <vector>

namespace nerv {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header
  // Index of a column; throws nerv::Error naming the file and the columns it has.
  size_t column(const std::string& name) const;
  // The cell as a number; throws naming file, line and column if it is not one.
  double number(size_t row, size_t col) const;
};

// Throws nerv::Error on a missing file, an empty file or a row of the wrong length.
CsvTable read_csv(const std::string& path);

// Quotes a field when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s);

}  // namespace nerv
