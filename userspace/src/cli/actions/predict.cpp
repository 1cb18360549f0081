// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens predict: the zonelists the model builds for a topology.
#include "zonelens/cli.hpp"
#include "zonelens/verify.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  add_root_option(opts);
  add_topology_option(opts);
  add_kernel_option(opts);
  add_context_option(opts);
  add_zonelist_order_option(opts);
  add_json_option(opts);
  add_svg_option(opts);
}

int execute(const po::variables_map& vm) {
  const auto given = context_option(vm);
  const Observation o = observe(vm);
  KernelChoice k = kernel_choice(vm, o.topology);
  apply_zonelist_order(vm, o.topology, k);
  // With the module's files: the context of the last rebuild (the one verify finds); without:
  // boot. --context overrides, and is not compared with the live lists (that is verify's job,
  // and would run the model twice).
  const ModuleState* m = o.module && !given ? &*o.module : nullptr;
  ResolvedContext r = resolve_context(o.topology, k.rules, m != nullptr ? &m->snapshot : nullptr,
                                      m != nullptr ? &m->events : nullptr, given);
  if (!r.explains_live()) {
    r.context.reason += " (note: no context reproduces the live lists; see zonelens verify)";
  }
  const report::PredictReport rep{.kernel = kernel_line(k),
                                  .context = r.context,
                                  .source = std::string(source_kind_name(o.kind)),
                                  .origin = o.origin,
                                  .topology = &o.topology,
                                  .prediction = predict_candidate(o.topology, k.rules, r.context)};
  write_svg(vm, {.title = "predicted zonelists for " + k.release + " (" + r.context.label +
                          " rebuild) of " + o.origin,
                 .topology = &o.topology,
                 .lists = &rep.prediction.nodes,
                 .predicted = nullptr});
  Output sink;
  report::render(sink, rep, json_wanted(vm));
  sink.flush();
  return kExitOk;
}

const Action kAction{"predict",
                     "print the zonelists the kernel builds for a topology (live, --root or "
                     "--topology)",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
