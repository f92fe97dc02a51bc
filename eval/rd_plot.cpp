#include "eval/rd_plot.h"

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "io/temp_output.h"

namespace nerv {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// gnuplot string literal in single quotes: only the quote itself needs doubling.
std::string gp_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Runs a command, returns its exit status and the first line of what it printed.
int run_capture(const std::string& cmd, std::string& first_line) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[512];
  first_line.clear();
  while (std::fgets(buf, sizeof buf, p))
    if (first_line.empty()) first_line = buf;
  while (!first_line.empty() && (first_line.back() == '\n' || first_line.back() == '\r'))
    first_line.pop_back();
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

std::string gnuplot_version() {
  std::string line;
  if (run_capture("gnuplot --version", line) != 0)
    throw Error("gnuplot is needed for the RD plots (apt-get install gnuplot-nox)");
  return line;
}

void plot_rd(const std::string& png_path, const std::string& title,
             const std::vector<RdSeries>& series, bool rgb) {
  TempOutput out(png_path);
  std::string script_path = out.write_path() + ".gp";
  std::string ssim_label = rgb ? "MS-SSIM (mean of R, G, B)" : "MS-SSIM (luma)";
  std::ostringstream gp;
  gp.precision(10);
  for (size_t i = 0; i < series.size(); ++i) {
    gp << "$S" << i << " << EOD\n";
    for (const RdPoint* p : series[i].points) {
      if (p->ssim_kind == "ssim")
        ssim_label = rgb ? "SSIM (mean of R, G, B; too small for MS-SSIM)"
                         : "SSIM (luma; frames too small for MS-SSIM)";
      double ssim = std::isfinite(p->msssim) ? p->msssim : NAN;
      std::string label = p->setting;
      label.erase(std::remove(label.begin(), label.end(), '"'), label.end());
      gp << p->bpp << " " << (rgb ? p->psnr_rgb : p->psnr_yuv) << " " << ssim << " \"" << label
         << "\"\n";
    }
    gp << "EOD\n";
  }
  gp << "set terminal pngcairo noenhanced size 1400,600 font 'DejaVu Sans,11'\n"
     << "set output " << gp_string(out.write_path()) << "\n"
     << "set datafile missing 'nan'\n"
     // Ten distinguishable colours (matplotlib's tab10): image comparisons draw eight curves.
     << "array C[10] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', "
        "'#e377c2', '#7f7f7f', '#bcbd22', '#17becf']\n"

     << "set multiplot layout 1,2 title " << gp_string(title) << " font ',13'\n"
     << "set grid\nset logscale x 2\nset format x '%g'\nset key below\n"
     << "set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.05\n"
     << "set xlabel 'bits per pixel (log scale)'\n";
  auto panel = [&](int col, const std::string& ylabel) {
    gp << "set ylabel " << gp_string(ylabel) << "\nplot ";
    for (size_t i = 0; i < series.size(); ++i) {
      gp << (i ? ", " : "") << "$S" << i << " using 1:" << col
         << " with linespoints lw 2 pt 7 ps 1.2 lc rgb C[" << i % 10 + 1 << "] title "
         << gp_string(series[i].title) << ", $S" << i << " using 1:" << col
         << ":4 with labels offset 0,0.9 font ',9' notitle";
    }
    gp << "\n";
  };
  panel(2, rgb ? "RGB-PSNR (dB)" : "YUV-PSNR, 6:1:1 (dB)");
  panel(3, ssim_label);
  gp << "unset multiplot\nset output\n";
  {
    std::ofstream f(script_path);
    f << gp.str();
    if (!f) throw Error(script_path + ": write error");
  }
  std::string msg;
  int rc = run_capture("gnuplot " + shell_quote(script_path), msg);
  std::remove(script_path.c_str());
  if (rc != 0) throw Error("gnuplot failed drawing " + png_path + ": " + msg);
  out.commit();
}

}  // namespace nerv
