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
  report::PredictReport rep{.kernel = kernel_line(k),
                            .context = context,
                            .source = std::string(source_kind_name(o.kind)),
                            .origin = o.origin,
                            .topology = &o.topology,
                            .notes = &o.notes,
                            .prediction = {},
                            .feed = {}};
  // Without --svg and without a hot-added node's own build (which predict_candidate splices in),
  // each node's lists go out as the model builds them: predict_candidate's output, never held
  // whole (20 MB at 1024 nodes).
  if (!svg_wanted(vm) && context.self_only.empty()) {
    PredictionStream stream(o.topology, k.rules, context.context);
    if (stream.in_id_order()) {
      rep.prediction.rules = k.rules;
      NodeZonelists nz;
      rep.feed = [&stream, &nz]() -> const NodeZonelists* {
        return stream.next(nz) ? &nz : nullptr;
      };
      return print_report(vm, rep);
    }
  }
  if (svg_wanted(vm) && !o.notes.zones_known) {
    throw InputError(vm["svg"].as<std::string>() + ": --svg draws zones, and " + o.origin +
                     " has no proc/zoneinfo: drop --svg (the node order is in the text and JSON)");
  }
  rep.prediction = predict_candidate(o.topology, k.rules, context);
  write_svg(vm, {.title = "predicted zonelists for " + k.release + " (" +
                          report::context_label(context) + " rebuild) of " + o.origin,
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
