// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens show: the kernel's live zonelists, from the module's snapshot.
#include "zonelens/cli.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  add_root_option(opts);
  add_json_option(opts);
}

int execute(const po::variables_map& vm) {
  const ModuleState m = read_module_state(vm);
  const Snapshot& s = m.snapshot;
  Output sink;
  std::string& out = sink.text;
  if (json_wanted(vm)) {
    out += "{\n  \"kernel\": ";
    append_json_string(out, s.header.kernel_release);
    out += ",\n  \"source\": \"module\",\n  \"module_version\": ";
    append_json_string(out, s.header.module_version);
    out += ",\n  \"fingerprint\": \"" + format_fingerprint(s.fingerprint) + "\"";
    out += ",\n  \"generation\": " + std::to_string(s.generation) + ",\n  ";
    append_json_nodes(sink, s.topology, s.zonelists);
    out += "\n}\n";
  } else {
    out += "zonelists of " + s.header.kernel_release + " (module " + s.header.module_version +
           ", " + m.dir.string() + ", generation " + std::to_string(s.generation) +
           ", fingerprint " + format_fingerprint(s.fingerprint) + ")\n";
    append_text_lists(sink, s.topology, s.zonelists, false);
  }
  sink.flush();
  return kExitOk;
}

const Action kAction{"show", "print the kernel's live zonelists (needs the zonelens module)",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
