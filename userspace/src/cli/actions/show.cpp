// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens show: the kernel's live zonelists, from the module's snapshot.
#include "zonelens/cli.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  add_root_option(opts);
  add_json_option(opts);
  add_svg_option(opts);
  add_wait_option(opts);
}

int execute(const po::variables_map& vm) {
  const ModuleState m = read_module_state(vm);
  const report::ShowReport r{
      .snapshot = &m.snapshot, .dir = m.dir.string(), .module_reads = m.reads};
  write_svg(vm, {.title = "live zonelists of " + m.snapshot.header.kernel_release + " (" + r.dir +
                          ", generation " + std::to_string(m.snapshot.generation) + ")",
                 .topology = &m.snapshot.topology,
                 .lists = &m.snapshot.zonelists,
                 .predicted = nullptr});
  return print_report(vm, r);
}

const Action kAction{"show", "print the kernel's live zonelists (needs the zonelens module)",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
