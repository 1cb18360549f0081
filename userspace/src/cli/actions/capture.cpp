// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens capture DIR|FILE.tar.gz: every file the model reads, for --root elsewhere.
#include "zonelens/workflow/capture.hpp"

#include <iostream>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"

namespace zonelens::cli {
namespace {

namespace fs = std::filesystem;

void get_arguments(po::options_description& opts, po::positional_options_description& pos) {
  opts.add_options()("output", po::value<std::string>()->value_name("DIR|FILE.tar.gz")->required(),
                     "where to write the capture: a new directory, or a .tar.gz/.tgz archive "
                     "(positional)");
  pos.add("output", 1);
  add_root_option(opts);
  add_json_option(opts);
  add_wait_option(opts);
}

// Removes a temporary directory on every path out.
struct TempDir {
  fs::path path;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  explicit TempDir(fs::path p) : path(std::move(p)) {}
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

int execute(const po::variables_map& vm) {
  const fs::path target = vm["output"].as<std::string>();
  const auto root = root_of(vm);
  workflow::CaptureReport report;
  std::string readback;  // empty: the capture reads back with --root
  if (workflow::is_tar_gz(target)) {
    std::error_code ec;
    if (fs::exists(target, ec)) {
      throw InputError(target.string() + " exists: choose a new archive name");
    }
    const TempDir tmp(workflow::make_temp_dir("zonelens-capture"));
    const fs::path dir = tmp.path / "root";
    report = workflow::capture_tree(root, dir, module_wait(vm));
    try {
      (void)observe_root(dir);
    } catch (const InputError& e) {
      readback = e.what();
    }
    workflow::make_tar_gz(dir, target);
  } else {
    report = workflow::capture_tree(root, target, module_wait(vm));
    try {
      (void)observe_root(target);
    } catch (const InputError& e) {
      readback = e.what();
    }
  }
  if (!readback.empty()) {
    std::cerr << "zonelens capture: warning: the capture does not read back with --root ("
              << readback << "); it is kept as evidence\n";
  }
  Output sink;
  if (json_wanted(vm)) {
    zonelens::report::JsonWriter w(sink, zonelens::report::JsonWriter::Style::kPretty);
    w.document()
        .field("output", target.string())
        .field("source", report.source.string())
        .field("module", report.module)
        .key("files")
        .array();
    for (const auto& f : report.files) {
      w.value(f);
    }
    w.end().key("skipped").array();
    for (const auto& f : report.skipped) {
      w.value(f);
    }
    w.end().field("reads_back", readback.empty()).end().finish();
  } else {
    sink.text = "captured " + std::to_string(report.files.size()) + " files from " +
                report.source.string() + " into " + target.string() +
                (report.module ? " (with the module's debugfs files)" : " (without the module)") +
                "\n";
    for (const auto& s : report.skipped) {
      sink.text += "  skipped " + s + "\n";
    }
    // Suggest only what reads the capture back: verify and show need the module's files.
    if (!readback.empty()) {
      sink.text += "it does not read back with --root: see the warning above\n";
    } else if (report.module) {
      sink.text +=
          "analyse it elsewhere with: zonelens verify --root DIR (unpack archives first)\n";
    } else {
      sink.text +=
          "analyse it elsewhere with: zonelens predict --root DIR (unpack archives first); "
          "verify and show need a capture with the module loaded\n";
    }
  }
  sink.flush();
  return kExitOk;
}

const Action kAction{"capture",
                     "save every file the model reads (sysfs node tree, /proc, the module's "
                     "debugfs files) into DIR or FILE.tar.gz for --root and bug reports",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
