// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens snapshot -o FILE: the module's state as one JSON document, for `zonelens diff`.
#include <fstream>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/workflow/snapshot_doc.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  opts.add_options()("output,o", po::value<std::string>()->value_name("FILE"),
                     "write the document to FILE (default or '-': stdout)");
  add_root_option(opts);
  add_wait_option(opts);
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

int execute(const po::variables_map& vm) {
  const auto root = root_of(vm);
  // One settled state (read_module waits for it), kept byte for byte as it was parsed.
  ModuleTexts raw;
  (void)read_module_state(vm, &raw);
  const auto dir = module_dir(root);
  std::string raw_snapshot = std::move(raw.snapshot);
  std::string raw_events = std::move(raw.events);
  // Evidence beside the module's kernel_release (the authority); a root without it is incomplete.
  std::string osrelease = first_line(
      read_text_file((root ? *root : std::filesystem::path("/")) / "proc/sys/kernel/osrelease",
                     root ? "capture the root again with zonelens capture, which saves it"
                          : "mount procfs on /proc"));
  const workflow::SnapshotDoc doc = workflow::make_snapshot_doc(
      root ? "root " + root->string() : "live", workflow::utc_now(), std::move(osrelease),
      std::move(raw_snapshot), std::move(raw_events), dir.string());
  const std::string text = workflow::snapshot_doc_json(doc);
  const std::string file = vm.count("output") != 0 ? vm["output"].as<std::string>() : "-";
  if (file == "-") {
    Output sink;
    sink.text = text;
    sink.flush();
    return kExitOk;
  }
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    throw InputError(file + ": cannot write: choose a writable path for -o");
  }
  return kExitOk;
}

const Action kAction{"snapshot",
                     "save the module's whole state (lists, topology, release, event-log "
                     "position, raw files) as one JSON document for 'zonelens diff'",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
