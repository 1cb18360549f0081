// SPDX-License-Identifier: GPL-2.0-or-later
// Capturing a root: plain file copies, the system tar for archives.
#include "zonelens/workflow/capture.hpp"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "zonelens/error.hpp"
#include "zonelens/sources.hpp"
#include "zonelens/workflow/json_schema.hpp"
#include "zonelens/workflow/snapshot_doc.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, for posix_spawnp

namespace zonelens::workflow {

namespace fs = std::filesystem;

namespace {

constexpr const char* kNodeDir = "sys/devices/system/node";
constexpr const char* kModuleDir = "sys/kernel/debug/zonelens";

bool exists_no_throw(const fs::path& p, int& err) {
  struct stat st {};
  if (::stat(p.c_str(), &st) == 0) {
    err = 0;
    return true;
  }
  err = errno;
  return false;
}

void write_file(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (ec || !f) {
    throw InputError(path.string() + ": cannot write: choose a writable capture directory");
  }
}

class Copier {
 public:
  Copier(fs::path src, fs::path dst, CaptureReport& report)
      : src_(std::move(src)), dst_(std::move(dst)), report_(report) {}

  // A file the analysis needs: missing is an error.
  void required(const std::string& rel, std::string_view fix) {
    write_file(dst_ / rel, read_text_file(src_ / rel, fix));
    report_.files.push_back(rel);
  }
  // A file already read (the module's, in one settled state).
  void text(const std::string& rel, const std::string& content) {
    write_file(dst_ / rel, content);
    report_.files.push_back(rel);
  }
  // A file the analysis uses when it is there, or evidence that helps.
  void optional(const std::string& rel) {
    int err = 0;
    if (!exists_no_throw(src_ / rel, err)) {
      report_.skipped.push_back(rel + ": " + std::strerror(err));
      return;
    }
    try {
      write_file(dst_ / rel, read_text_file(src_ / rel, "it is optional"));
      report_.files.push_back(rel);
    } catch (const InputError& e) {
      report_.skipped.push_back(rel + ": " + e.what());
    }
  }

 private:
  fs::path src_;
  fs::path dst_;
  CaptureReport& report_;
};

std::vector<int> node_dirs(const fs::path& dir) {
  std::vector<int> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 4 && name.starts_with("node") &&
        std::all_of(name.begin() + 4, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      int id = 0;
      const char* end = name.data() + name.size();
      if (std::from_chars(name.data() + 4, end, id).ptr != end) {
        throw InputError(entry.path().string() +
                         ": node id out of range: remove it from the captured root");
      }
      ids.push_back(id);
    }
  }
  if (ec) {
    throw InputError(dir.string() + ": cannot list: " + ec.message() +
                     ": check the source (sysfs mounted, or a captured root)");
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Removes what a capture wrote unless it completed: a failed capture leaves no partial root (the
// directory itself goes when the capture created it).
class PartialCapture {
 public:
  PartialCapture(fs::path dest, bool created) : dest_(std::move(dest)), created_(created) {}
  PartialCapture(const PartialCapture&) = delete;
  PartialCapture& operator=(const PartialCapture&) = delete;
  ~PartialCapture() {
    if (done_) {
      return;
    }
    std::error_code ec;
    if (created_) {
      fs::remove_all(dest_, ec);
      return;
    }
    for (const auto& entry : fs::directory_iterator(dest_, ec)) {
      fs::remove_all(entry.path(), ec);
    }
  }
  void done() { done_ = true; }

 private:
  fs::path dest_;
  bool created_;
  bool done_ = false;
};

}  // namespace

CaptureReport capture_tree(const std::optional<fs::path>& source_root, const fs::path& dest,
                           ModuleWait wait) {
  CaptureReport report;
  report.source = source_root.value_or(fs::path("/"));
  const fs::path& src = report.source;
  if (source_root) {
    int err = 0;
    if (!exists_no_throw(src, err)) {
      throw InputError(src.string() + " not found: pass a captured root directory to --root");
    }
  }
  std::error_code ec;
  const bool existed = fs::exists(dest, ec);
  if (existed && !(fs::is_directory(dest, ec) && fs::is_empty(dest, ec))) {
    throw InputError(dest.string() + " exists and is not an empty directory: choose a new path");
  }
  fs::create_directories(dest, ec);
  if (ec) {
    throw InputError(dest.string() + ": cannot create: " + ec.message() +
                     ": choose a writable path");
  }
  PartialCapture partial(dest, !existed);
  Copier copy(src, dest, report);
  const std::string nodes = kNodeDir;
  constexpr std::string_view kSysFix = "capture from a machine with sysfs (or a complete root)";
  // The module first: its snapshot and event log are the two files diff and verify read together.
  const fs::path mod = src / kModuleDir;
  int err = 0;
  if (exists_no_throw(mod, err)) {
    report.module = true;
    // The two files of one settled state, read as verify reads them (waiting while a memory
    // operation is in flight: ModuleUnsettled when it does not end in time). Files that do not
    // parse are copied as they are, as evidence (capture then warns that they do not read back).
    ModuleTexts texts;
    bool settled = false;
    try {
      (void)read_module(source_root, wait, &texts);
      settled = true;
    } catch (const ModuleUnsettled&) {
      throw;
    } catch (const InputError&) {
      settled = false;
    }
    if (settled) {
      copy.text(std::string(kModuleDir) + "/snapshot", texts.snapshot);
      copy.text(std::string(kModuleDir) + "/events", texts.events);
    } else {
      for (const char* f : {"snapshot", "events"}) {
        copy.required(std::string(kModuleDir) + "/" + f,
                      "load a zonelens module of this version (insmod zonelens.ko)");
      }
    }
    for (const char* f : {"header", "nodes", "distance", "zones", "zonelists"}) {
      copy.optional(std::string(kModuleDir) + "/" + f);
    }
  } else if ((err == EACCES || err == EPERM) &&
             (source_root || exists_no_throw("/sys/module/zonelens", err))) {
    throw InputError(mod.string() + ": permission denied: run as root");
  } else {
    report.skipped.push_back(std::string(kModuleDir) +
                             ": not present (module not loaded): sysfs and /proc only");
  }
  for (const char* f : {"possible", "online", "has_memory", "has_normal_memory", "has_cpu"}) {
    copy.required(nodes + "/" + f, kSysFix);
  }
  for (const char* f : {"has_high_memory", "has_generic_initiator"}) {
    copy.optional(nodes + "/" + f);
  }
  for (const int id : node_dirs(src / nodes)) {
    const std::string dir = nodes + "/node" + std::to_string(id);
    copy.required(dir + "/cpulist", kSysFix);
    copy.required(dir + "/distance", kSysFix);
    copy.optional(dir + "/meminfo");
  }
  copy.required("proc/zoneinfo", "capture from a machine with procfs (or a complete root)");
  copy.required("proc/sys/kernel/osrelease",
                "capture from a machine with procfs (or a complete root)");
  // The zonelist order of <= 4.13 kernels: numa_zonelist_order= and the sysctl.
  copy.optional(std::string(kArchSysctl));  // 5.19+: the architecture the model follows
  copy.optional("proc/cmdline");
  copy.optional("proc/sys/vm/numa_zonelist_order");
  nlohmann::json manifest = {{"schema", kJsonSchema},    {"zonelens_capture", 1},
                             {"taken_at", utc_now()},    {"source", src.string()},
                             {"module", report.module},  {"files", report.files},
                             {"skipped", report.skipped}};
  write_file(dest / "zonelens-capture.json", manifest.dump(2) + "\n");
  partial.done();
  return report;
}

bool is_tar_gz(const fs::path& path) {
  const std::string s = path.filename().string();
  return s.ends_with(".tar.gz") || s.ends_with(".tgz");
}

void make_tar_gz(const fs::path& dir, const fs::path& archive) {
  const std::string a = fs::absolute(archive).string();
  const std::string d = dir.string();
  std::vector<std::string> args = {"tar", "-czf", a, "-C", d, "."};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& s : args) {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, "tar", nullptr, nullptr, argv.data(), environ);
  if (rc != 0) {
    throw InputError(std::string("tar: cannot run: ") + std::strerror(rc) +
                     ": install tar or capture into a directory instead");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw InputError(std::string("tar: waitpid failed: ") + std::strerror(errno) +
                       ": capture into a directory instead");
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::error_code ec;
    fs::remove(archive, ec);  // no partial archive
    throw InputError(archive.string() +
                     ": tar failed to write the archive: check the path and free space");
  }
}

fs::path make_temp_dir(const std::string& prefix) {
  std::string templ = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw InputError(fs::temp_directory_path().string() +
                     ": cannot create a temporary directory: " + std::strerror(errno) +
                     ": set TMPDIR to a writable directory");
  }
  return templ;
}

}  // namespace zonelens::workflow
