// SPDX-License-Identifier: GPL-2.0-or-later
// `zonelens capture`: copy every file the model reads into a root that `--root` reads back
// (like hwloc-gather-topology). This is an I/O edge; errors are InputError.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/sources.hpp"

namespace zonelens::workflow {

struct CaptureReport {
  std::filesystem::path source;      // "/" for the running machine
  std::vector<std::string> files;    // relative paths written, in capture order
  std::vector<std::string> skipped;  // "PATH: reason" for optional files that were not there
  bool module = false;               // the module's debugfs files were captured
};

// Copies the files from `source_root` (nullopt: the running machine) into `dest`, which must not
// exist or be an empty directory. Writes DEST/zonelens-capture.json (what, when, from where). The
// module's snapshot and events are one settled state, waited for up to `wait` (read_module).
CaptureReport capture_tree(const std::optional<std::filesystem::path>& source_root,
                           const std::filesystem::path& dest, ModuleWait wait = kNoWait);

// True when `path` names a gzip'd tar archive (".tar.gz" or ".tgz").
[[nodiscard]] bool is_tar_gz(const std::filesystem::path& path);

// Packs the contents of `dir` into `archive` with the system tar (tar -czf ARCHIVE -C DIR .).
void make_tar_gz(const std::filesystem::path& dir, const std::filesystem::path& archive);

// A fresh private directory under the system temp directory; removed by the caller.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace zonelens::workflow
