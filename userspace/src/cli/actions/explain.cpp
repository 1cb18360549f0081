// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens explain NODE: every find_next_best_node() step of NODE's fallback order, scored.
#include "zonelens/explain.hpp"

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/idlist.hpp"
#include "zonelens/verify.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& pos) {
  opts.add_options()("node", po::value<int>()->value_name("NODE")->required(),
                     "the node whose fallback order to explain (positional)");
  pos.add("node", 1);
  add_model_options(opts);
}

int execute(const po::variables_map& vm) {
  const NodeId node = vm["node"].as<int>();
  const Observation o = observe(vm);
  KernelChoice k = kernel_choice(vm, o.topology);
  apply_zonelist_order(vm, o.topology, k);
  if (o.topology.find(node) == nullptr) {
    std::vector<int> ids;
    for (const auto& n : o.topology.nodes) {
      ids.push_back(n.id);
    }
    throw InputError(o.origin + ": node " + std::to_string(node) +
                     " is not a possible node (possible: " + format_id_list(ids) +
                     "): pass one of them");
  }
  const ContextCandidate ctx = command_context(vm, o, k.rules);
  // A hot-added node's lists come from its own build at DIMM add, not from the full rebuild.
  const report::ExplainReport rep{
      .explanation = explain(o.topology, k.rules, rebuild_of_node(ctx, node), node),
      .context = ctx,
      .kernel = kernel_line(k),
      .origin = o.origin,
      .topology = &o.topology};
  return print_report(vm, rep);
}

const Action kAction{"explain",
                     "why NODE's fallback order is what it is: every step's candidates, scores "
                     "and tie-breaks (live, --root or --topology)",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
