// Output files are written under a temporary name beside the final one and renamed only when
// complete, so an error or an interrupt never leaves a partial file under the final name.
#pragma once
#include <string>

namespace nerv {

// True for "-" (stdout) and URLs ("proto://..."), which are written in place.
bool is_stream_target(const std::string& target);
// True for stream targets and for existing files that are not regular (/dev/null, a FIFO, a
// device): those are written in place, never under a temporary name.
bool writes_in_place(const std::string& target);

class TempOutput {
 public:
  explicit TempOutput(std::string final_path);
  // A fixed temporary name (an encode that can be resumed must find its partial file again).
  // Such a file is kept on failure until remove_on_failure(): it may hold an earlier run's
  // work, or be another process's until a lock says otherwise.
  TempOutput(std::string final_path, std::string write_path);
  ~TempOutput();  // removes the temporary file unless commit() or keep() ran
  TempOutput(const TempOutput&) = delete;
  TempOutput& operator=(const TempOutput&) = delete;

  const std::string& write_path() const { return write_path_; }  // where to write now
  const std::string& final_path() const { return final_path_; }
  void commit();  // renames the temporary file to its final name
  void discard();
  // From now on an interrupt, an error or the destructor leaves the temporary file in place;
  // remove_on_failure() undoes it.
  void keep();
  void remove_on_failure();

 private:
  std::string final_path_;
  std::string write_path_;
  int slot_ = -1;  // entry in the interrupt-cleanup table, -1 if none
  bool kept_ = false;
};

// Makes a rename or creation in `path`'s directory durable (fsync of the directory).
void sync_dir_of(const std::string& path);

// Writes `data` as the whole of `path` under a temporary name, renamed when complete; throws
// nerv::Error ("PATH: write error") on failure.
void write_file(const std::string& path, const std::string& data);

// SIGINT/SIGTERM/SIGHUP remove every pending temporary output, then end the process with
// status 128+signal. Call once at start-up.
void install_interrupt_cleanup();

}  // namespace nerv
