// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens diff A B: what changed between two snapshots and whether the model explains it.
#include "zonelens/workflow/diff.hpp"

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/workflow/snapshot_doc.hpp"

namespace zonelens::cli {
namespace {

using workflow::DiffReport;
using workflow::SnapshotDoc;

void get_arguments(po::options_description& opts, po::positional_options_description& pos) {
  opts.add_options()("before", po::value<std::string>()->value_name("A")->required(),
                     "the earlier snapshot (positional)")(
      "after", po::value<std::string>()->value_name("B")->required(),
      "the later snapshot (positional)");
  pos.add("before", 1).add("after", 1);
  add_kernel_option(opts);
  add_json_option(opts);
}

SnapshotDoc load(const std::string& file) {
  return workflow::parse_snapshot_doc(
      read_text_file(file, "pass a file written by 'zonelens snapshot -o FILE'"), file);
}

int execute(const po::variables_map& vm) {
  const std::string fa = vm["before"].as<std::string>();
  const std::string fb = vm["after"].as<std::string>();
  const SnapshotDoc a = load(fa);
  const SnapshotDoc b = load(fb);
  const KernelChoice k = kernel_choice(vm, b.snapshot.topology);
  const DiffReport r = workflow::diff_snapshots(a, b, k.rules);
  const report::DiffCommandReport rep{
      .kernel = kernel_line(k), .a = {fa, &a}, .b = {fb, &b}, .diff = r};
  return print_report(vm, rep, r.explained ? kExitOk : kExitMismatch);
}

const Action kAction{"diff",
                     "compare two snapshots: changed lists, the events in between, and whether "
                     "the model explains the change; exit 0 explained, 1 unexplained, 2 error",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
