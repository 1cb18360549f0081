// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens explain NODE: every find_next_best_node() step of NODE's fallback order, scored.
#include "zonelens/explain.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/idlist.hpp"
#include "zonelens/verify.hpp"

namespace zonelens::cli {
namespace {

using nlohmann::json;

void get_arguments(po::options_description& opts, po::positional_options_description& pos) {
  opts.add_options()("node", po::value<int>()->value_name("NODE")->required(),
                     "the node whose fallback order to explain (positional)");
  pos.add("node", 1);
  add_root_option(opts);
  add_topology_option(opts);
  add_kernel_option(opts);
  add_context_option(opts);
  add_zonelist_order_option(opts);
  add_json_option(opts);
}

// The context to explain: resolve_context's, with a note when no context reproduces the live
// lists.
ContextCandidate explain_context(const po::variables_map& vm, const Observation& o,
                                 const EraRules& rules) {
  const ModuleState* m = o.module ? &*o.module : nullptr;
  ResolvedContext r = resolve_context(o.topology, rules, m != nullptr ? &m->snapshot : nullptr,
                                      m != nullptr ? &m->events : nullptr, context_option(vm));
  if (!r.explains_live()) {
    r.context.reason += " (note: no context reproduces the live lists; see zonelens verify)";
  }
  return r.context;
}

json score_json(const CandidateScore& s) {
  return {{"node", s.node},
          {"distance", s.distance},
          {"below_local", s.below_local},
          {"cpu_penalty", s.cpu_penalty},
          {"base", s.base},
          {"multiplier", s.multiplier},
          {"node_load", s.node_load},
          {"total", s.total}};
}

std::string why(const ExplainStep& s) {
  const auto& w = s.winner;
  const auto& r = s.runner_up;
  switch (s.reason) {
    case PickReason::kLocalNode:
      return "the local node, returned before any scoring";
    case PickReason::kOnlyCandidate:
      return "the only candidate still open";
    case PickReason::kLowerScore:
      if (w && r) {
        return "lower score: " + std::to_string(w->total) + " < " + std::to_string(r->total) +
               " of node " + std::to_string(r->node) + " (base " + std::to_string(w->base) +
               " vs " + std::to_string(r->base) + ")";
      }
      return "lower score";
    case PickReason::kLowerNodeLoad:
      if (w && r) {
        return "same base " + std::to_string(w->base) + " as node " + std::to_string(r->node) +
               ", lower node_load (" + std::to_string(w->node_load) + " < " +
               std::to_string(r->node_load) + ")";
      }
      return "lower node_load";
    case PickReason::kTieLowestId:
      if (w && r) {
        return "tie at " + std::to_string(w->total) + " with node " + std::to_string(r->node) +
               ": the strict '<' keeps the lowest id";
      }
      return "tie: the strict '<' keeps the lowest id";
  }
  return "?";
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) {
    s.insert(0, width - s.size(), ' ');
  }
  return s;
}

std::string ids_text(const std::vector<NodeId>& ids) {
  std::string s;
  for (const auto id : ids) {
    s += (s.empty() ? "" : " ") + std::to_string(id);
  }
  return s.empty() ? "-" : s;
}

// Where each FALLBACK position comes from: its zone type, its node, and that node's position in
// the fallback order.
struct FallbackSource {
  int position = 0;
  ZoneRef ref;
  std::size_t order_position = 0;
};

std::vector<FallbackSource> fallback_sources(const Explanation& x) {
  std::vector<FallbackSource> out;
  for (std::size_t i = 0; i < x.fallback.size(); ++i) {
    const ZoneRef& r = x.fallback[i];
    const auto at = std::find(x.node_order.begin(), x.node_order.end(), r.node);
    out.push_back(
        FallbackSource{.position = static_cast<int>(i),
                       .ref = r,
                       .order_position = static_cast<std::size_t>(at - x.node_order.begin())});
  }
  return out;
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
  const ContextCandidate ctx = explain_context(vm, o, k.rules);
  // A hot-added node's lists come from its own build at DIMM add, not from the full rebuild.
  const Explanation x = explain(o.topology, k.rules, rebuild_of_node(ctx, node), node);
  Output sink;
  std::string& out = sink.text;
  if (json_wanted(vm)) {
    json steps = json::array();
    for (const auto& s : x.steps) {
      json cands = json::array();
      for (const auto& c : s.candidates) {
        cands.push_back(score_json(c));
      }
      json j = {{"position", s.position},
                {"picked", s.picked},
                {"reason", std::string(pick_reason_name(s.reason))},
                {"why", why(s)},
                {"candidates", std::move(cands)},
                {"winner", s.winner ? score_json(*s.winner) : json(nullptr)},
                {"runner_up", s.runner_up ? score_json(*s.runner_up) : json(nullptr)},
                {"load_counter", s.load_counter}};
      if (s.load_update) {
        j["load_update"] = {{"node", s.load_update->node},
                            {"before", s.load_update->before},
                            {"after", s.load_update->after}};
      }
      steps.push_back(std::move(j));
    }
    json updates = json::array();
    for (const auto& u : x.earlier_updates) {
      updates.push_back(
          {{"built_for", u.built_for}, {"node", u.node}, {"before", u.before}, {"after", u.after}});
    }
    json fallback = json::array();
    for (const auto& f : fallback_sources(x)) {
      std::string zone;
      append_zoneref(zone, o.topology, f.ref);
      fallback.push_back({{"position", f.position},
                          {"zoneref", zone},
                          {"zone_index", f.ref.zone_index},
                          {"node", f.ref.node},
                          {"order_position", f.order_position}});
    }
    json doc = {
        {"node", x.node},
        {"source", o.origin},
        {"kernel", k.release},
        {"era", std::string(era_name(k.rules.era))},
        {"zone_predicate", std::string(zone_predicate_name(k.rules.zone_predicate))},
        {"context", ctx.label},
        {"context_reason", ctx.reason},
        {"built", x.built},
        {"local_first", x.local_first},
        {"nr_online_nodes", x.nr_online_nodes},
        {"multiplier", x.multiplier},
        {"built_before", x.built_before},
        {"earlier_updates", std::move(updates)},
        {"node_load_at_start", x.node_load_at_start},
        {"node_order", x.node_order},
        {"stopped_at_int_max", x.stopped_at_int_max ? json(*x.stopped_at_int_max) : json(nullptr)},
        {"steps", std::move(steps)}};
    if (release_has_zone_order(k.version)) {  // 4.14+ output stays as it was
      doc["zonelist_order"] = std::string(zonelist_order_name(k.rules.zonelist_order));
      doc["zonelist_order_reason"] = k.order->reason;
      doc["fallback"] = std::move(fallback);
    }
    out += doc.dump(2);
    out += '\n';
    sink.flush();
    return kExitOk;
  }
  out += "explain node " + std::to_string(node) + " (" + o.origin + "): kernel " + k.release +
         " (era " + std::string(era_name(k.rules.era)) + ", " +
         std::string(zone_predicate_name(k.rules.zone_predicate)) + " zones)\n";
  out += "context: " + ctx.label + ": " + ctx.reason + "\n";
  out += zonelist_order_line(k);
  if (!x.built) {
    out += "node " + std::to_string(node) +
           " is not built by this rebuild in this era: its zonelists stay empty\n";
    sink.flush();
    return kExitOk;
  }
  out += "nr_online_nodes " + std::to_string(x.nr_online_nodes) + ", multiplier " +
         std::to_string(x.multiplier) + ", built before this node: " + ids_text(x.built_before) +
         "\n";
  std::string loads;
  for (std::size_t i = 0; i < x.node_load_at_start.size(); ++i) {
    if (x.node_load_at_start[i] != 0) {
      loads += (loads.empty() ? "" : " ") + std::to_string(i) + ":" +
               std::to_string(x.node_load_at_start[i]);
    }
  }
  out += "node_load at start: " + (loads.empty() ? std::string("all 0") : loads) + "\n";
  out += "fallback order: " + ids_text(x.node_order) + "\n";
  for (const auto& s : x.steps) {
    out += "\nposition " + std::to_string(s.position) + ": node " + std::to_string(s.picked) +
           ": " + why(s) + "\n";
    if (!s.candidates.empty()) {
      out += "      node  distance  below_local  cpu_penalty  base  multiplier  node_load  total\n";
      for (const auto& c : s.candidates) {
        const bool won = s.winner && s.winner->node == c.node;
        const bool second = s.runner_up && s.runner_up->node == c.node;
        out += won ? "   * " : (second ? "   2 " : "     ");
        out += pad(std::to_string(c.node), 5) + pad(std::to_string(c.distance), 10) +
               pad(std::to_string(c.below_local), 13) + pad(std::to_string(c.cpu_penalty), 13) +
               pad(std::to_string(c.base), 6) + pad(std::to_string(c.multiplier), 12) +
               pad(std::to_string(c.node_load), 11) + pad(std::to_string(c.total), 7) + "\n";
      }
    }
    if (s.load_update) {
      out += "   node_load[" + std::to_string(s.load_update->node) +
             "]: " + std::to_string(s.load_update->before) + " -> " +
             std::to_string(s.load_update->after) + "\n";
    }
    sink.maybe_flush();
  }
  if (k.rules.zonelist_order == ZonelistOrder::kZone) {
    out +=
        "\nfallback list in zone order (each zone type from the highest down, its nodes in the "
        "fallback order):\n";
    for (const auto& f : fallback_sources(x)) {
      std::string zone;
      append_zoneref(zone, o.topology, f.ref);
      out += "  [" + std::to_string(f.position) + "] " + zone + ": zone type " +
             zone.substr(zone.find(':') + 1) + ", node " + std::to_string(f.ref.node) +
             " (position " + std::to_string(f.order_position) + " of the fallback order)\n";
    }
  }
  if (x.stopped_at_int_max) {
    out += "\n" + std::to_string(*x.stopped_at_int_max) +
           " candidates were left out: their score reached INT_MAX\n";
  }
  out += "\n(* winner, 2 runner-up; total = base * multiplier + node_load in the kernel's int)\n";
  sink.flush();
  return kExitOk;
}

const Action kAction{"explain",
                     "why NODE's fallback order is what it is: every step's candidates, scores "
                     "and tie-breaks (live, --root or --topology)",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
