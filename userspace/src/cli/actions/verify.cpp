// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens verify: the live (or captured) zonelists against the model.
#include "zonelens/verify.hpp"

#include "../prometheus.hpp"
#include "zonelens/cli.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  add_root_option(opts);
  add_context_option(opts);
  add_kernel_option(opts);
  add_zonelist_order_option(opts);
  add_json_option(opts);
  opts.add_options()("prometheus", po::value<std::string>()->value_name("FILE"),
                     "also write the result as Prometheus metrics to FILE (through FILE.tmp and a "
                     "rename), for node_exporter's textfile collector; without the module FILE "
                     "says zonelens_module_loaded 0");
}

int execute(const po::variables_map& vm) {
  const auto given = context_option(vm);
  const auto prometheus = vm.count("prometheus") != 0
                              ? std::optional(vm["prometheus"].as<std::string>())
                              : std::nullopt;
  if (prometheus && !std::filesystem::exists(module_dir(root_of(vm)))) {
    write_textfile(*prometheus, render_prometheus({}));
  }
  const ModuleState m = read_module_state(vm);
  const Topology& topo = m.snapshot.topology;
  KernelChoice k = kernel_choice(vm, topo);
  apply_zonelist_order(vm, topo, k);

  const Verification ver =
      verify_lists(topo, k.rules, m.snapshot.zonelists,
                   given ? std::vector<ContextCandidate>{explicit_context(*given)}
                         : candidate_contexts(m.snapshot, m.events));
  if (prometheus) {
    write_textfile(*prometheus, render_prometheus({module_metrics(m, k.rules, k.release, ver)}));
  }
  const std::vector<ContextAttempt>& attempts = ver.attempts;
  const bool found = ver.match;
  const ContextAttempt& best = ver.best();
  const std::size_t differing = ver.mismatched().size();
  const bool json = json_wanted(vm);
  Output sink;
  std::string& out = sink.text;
  if (json) {
    out += "{\n  \"kernel\": ";
    append_json_string(out, k.release);
    out += ",\n  \"era\": ";
    append_json_string(out, era_name(k.rules.era));
    append_json_zonelist_order(out, k);
    out += ",\n  \"generation\": " + std::to_string(m.snapshot.generation);
    out += ",\n  \"fingerprint\": \"" + format_fingerprint(m.snapshot.fingerprint) + "\"";
    out += ",\n  \"context\": ";
    append_json_string(out, best.candidate.label);
    out += ",\n  \"context_reason\": ";
    append_json_string(out, best.candidate.reason);
    out += ",\n  \"context_inferred\": ";
    out += best.candidate.inferred ? "true" : "false";
    out += ",\n  \"contexts_tried\": [";
    for (std::size_t i = 0; i < attempts.size(); ++i) {
      out += i == 0 ? "{\"context\": " : ", {\"context\": ";
      append_json_string(out, attempts[i].candidate.label);
      out += attempts[i].match ? R"(, "result": "match"})" : R"(, "result": "mismatch"})";
    }
    out += "],\n  \"result\": ";
    out += found ? "\"match\"" : "\"mismatch\"";
    out += ",\n  \"nodes\": [";
    for (std::size_t i = 0; i < best.verdicts.size(); ++i) {
      const auto& v = best.verdicts[i];
      out += i == 0 ? "\n    " : ",\n    ";
      out += "{\"node\": " + std::to_string(v.node) + ", \"status\": ";
      if (v.match()) {
        out += "\"match\"}";
        continue;
      }
      const auto& d = *v.difference;
      out += R"("mismatch", "list": ")";
      out += list_kind_name(d.list);
      out += R"(", "position": )" + std::to_string(d.position) + R"(, "live": )";
      append_side(out, topo, d.live, true);
      out += ", \"predicted\": ";
      append_side(out, topo, d.predicted, true);
      out += '}';
    }
    out += best.verdicts.empty() ? "]\n}\n" : "\n  ]\n}\n";
  } else {
    out += "verify " + m.dir.string() + " (generation " + std::to_string(m.snapshot.generation) +
           ") against " + k.release + " (era " + std::string(era_name(k.rules.era)) + ")\n";
    out += zonelist_order_line(k);
    out += "context: " + best.candidate.label + ": " + best.candidate.reason + "\n";
    if (attempts.size() > 1 || !found) {
      for (const auto& a : attempts) {
        out += "  tried " + a.candidate.label + ": " + (a.match ? "explains" : "does not explain") +
               " the lists\n";
      }
    }
    for (const auto& v : best.verdicts) {
      out += "node " + std::to_string(v.node) + ": ";
      if (v.match()) {
        out += "match\n";
        continue;
      }
      const auto& d = *v.difference;
      out += "mismatch at " + std::string(list_kind_name(d.list)) + "[" +
             std::to_string(d.position) + "]: live ";
      append_side(out, topo, d.live, false);
      out += ", predicted ";
      append_side(out, topo, d.predicted, false);
      out += '\n';
    }
    out += found ? "result: match (" + std::to_string(best.verdicts.size()) + " nodes)\n"
                 : "result: mismatch (" + std::to_string(differing) + " of " +
                       std::to_string(best.verdicts.size()) + " nodes differ" +
                       (attempts.size() > 1 ? ", no context explains the lists" : "") + ")\n";
  }
  sink.flush();
  return found ? kExitOk : kExitMismatch;
}

const Action kAction{"verify",
                     "compare the kernel's live zonelists (module, or --root) with the model; "
                     "exit 0 match, 1 mismatch, 2 error",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
