// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens verify: the live (or captured) zonelists against the model.
#include "zonelens/verify.hpp"

#include "zonelens/cli.hpp"
#include "zonelens/report/prometheus.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  add_root_option(opts);
  add_context_option(opts,
                     "the contexts the module's event log names, tried in order "
                     "(docs/cli.md)");
  add_kernel_option(opts);
  add_zonelist_order_option(opts);
  add_json_option(opts);
  opts.add_options()("summary", po::bool_switch(),
                     "print one line instead of the report: result, generation, kernel, context "
                     "kind (with its event), differing nodes (what zonelens-verify.service logs)");
  add_svg_option(opts);
  add_wait_option(opts);
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
    write_output_file(*prometheus, report::render_prometheus({}));
  }
  const ModuleState m = read_module_state(vm);
  const Topology& topo = m.snapshot.topology;
  KernelChoice k = kernel_choice(vm, topo);
  apply_zonelist_order(vm, topo, k);

  const report::VerifyReport rep{
      .topology = &topo,
      .verification = *resolve_context(topo, k.rules, &m.snapshot, &m.events, given).against_live,
      .kernel = kernel_line(k),
      .dir = m.dir.string(),
      .generation = m.snapshot.generation,
      .fingerprint = m.snapshot.fingerprint,
      .module_reads = m.reads};
  if (prometheus) {
    write_output_file(*prometheus,
                      report::render_prometheus(
                          {.verify = &rep,
                           .last_rebuild = report::last_rebuild_metric(m.events, rep.generation),
                           .stale_nodes = stale_nodes(topo, k.rules, m.snapshot.zonelists)}));
  }
  if (svg_wanted(vm)) {
    const ContextCandidate& best = rep.verification.best().candidate;
    const Prediction predicted = predict_candidate(topo, k.rules, best);
    write_svg(vm, {.title = "live zonelists of " + k.release + " against the model (" +
                            report::context_label(best) +
                            "): " + (rep.verification.match ? "match" : "mismatch"),
                   .topology = &topo,
                   .lists = &m.snapshot.zonelists,
                   .predicted = &predicted.nodes});
  }
  const int rc = rep.verification.match ? kExitOk : kExitMismatch;
  if (vm["summary"].as<bool>()) {
    if (json_wanted(vm)) {
      throw UsageError("--summary and --json are two outputs: give one");
    }
    Output sink;
    report::render_summary(sink, rep);
    sink.flush();
    return rc;
  }
  return print_report(vm, rep, rc);
}

const Action kAction{"verify",
                     "compare the kernel's live zonelists (module, or --root) with the model; "
                     "exit 0 match, 1 mismatch, 2 error",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
