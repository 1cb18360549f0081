// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens predict: the zonelists the model builds for a topology.
#include "zonelens/cli.hpp"
#include "zonelens/verify.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  add_model_options(opts);
  add_svg_option(opts);
}

int execute(const po::variables_map& vm) {
  const Observation o = observe(vm);
  KernelChoice k = kernel_choice(vm, o.topology);
  apply_zonelist_order(vm, o.topology, k);
  const ContextCandidate context = command_context(vm, o, k.rules);
  const report::PredictReport rep{.kernel = kernel_line(k),
                                  .context = context,
                                  .source = std::string(source_kind_name(o.kind)),
                                  .origin = o.origin,
                                  .topology = &o.topology,
                                  .prediction = predict_candidate(o.topology, k.rules, context)};
  write_svg(vm, {.title = "predicted zonelists for " + k.release + " (" + context.label +
                          " rebuild) of " + o.origin,
                 .topology = &o.topology,
                 .lists = &rep.prediction.nodes,
                 .predicted = nullptr});
  return print_report(vm, rep);
}

const Action kAction{"predict",
                     "print the zonelists the kernel builds for a topology (live, --root or "
                     "--topology)",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
