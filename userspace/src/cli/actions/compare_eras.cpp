// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens compare-eras --kernel A --kernel B: what changes in the lists when this machine moves
// from one kernel era to another. (predict takes one --kernel, so this is its own command.)
#include <nlohmann/json.hpp>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/workflow/eras.hpp"

namespace zonelens::cli {
namespace {

using nlohmann::json;

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  opts.add_options()("kernel", po::value<std::vector<std::string>>()->value_name("REL|ERA"),
                     "a kernel release (6.1.0) or era name (5.19-6.6); give it twice (from, to), "
                     "or once to compare the source's own release with it");
  add_root_option(opts);
  add_topology_option(opts);
  add_context_option(opts);
  add_zonelist_order_option(opts);
  add_json_option(opts);
}

struct Side {
  std::string name;
  EraRules rules;
  KernelVersion version;  // an era name stands for its newest release (4.13 for <=4.13)
  std::string order_reason;
};

KernelVersion newest_of(KernelEra era) {
  switch (era) {
    case KernelEra::kPre414:
      return {4, 13, 0};
    case KernelEra::k414:
      return {5, 15, 0};
    case KernelEra::k516:
      return {5, 17, 0};
    case KernelEra::k518:
      return {5, 18, 0};
    case KernelEra::k519:
      return {6, 6, 0};
    case KernelEra::k607:
      break;
  }
  return {6, 7, 0};
}

Side side_of(const std::string& spec, const EraRules& fallback) {
  if (auto v = parse_kernel_release(spec)) {
    return {spec, rules_for(*v), *v, ""};
  }
  if (auto era = parse_era_name(spec)) {
    EraRules r = fallback;
    r.era = *era;
    return {spec, r, newest_of(*era), ""};
  }
  throw UsageError("--kernel '" + spec +
                   "' is neither a release like 6.1.0 nor an era name like "
                   "5.19-6.6");
}

std::string order_text(const NodeZonelists* n) {
  if (n == nullptr) {
    return "(not built)";
  }
  std::string s;
  for (const auto id : n->node_order) {
    s += (s.empty() ? "" : " ") + std::to_string(id);
  }
  return s.empty() ? "-" : s;
}

std::string list_text(const Topology& topo, const NodeZonelists* n) {
  if (n == nullptr) {
    return "(not built)";
  }
  std::string s;
  for (const auto& r : n->fallback) {
    if (!s.empty()) {
      s += ' ';
    }
    append_zoneref(s, topo, r);
  }
  return s.empty() ? "-" : s;
}

json node_json(const Topology& topo, const NodeZonelists* n) {
  if (n == nullptr) {
    return nullptr;
  }
  json f = json::array();
  json nf = json::array();
  for (const auto& r : n->fallback) {
    f.push_back(zoneref_name(topo, r));
  }
  for (const auto& r : n->nofallback) {
    nf.push_back(zoneref_name(topo, r));
  }
  return {{"node_order", n->node_order}, {"fallback", f}, {"nofallback", nf}};
}

// The order is named only for sides up to 4.13, so the output of 4.14+ comparisons stays as it
// was.
json side_json(const Side& s) {
  json j = {{"kernel", s.name}, {"era", std::string(era_name(s.rules.era))}};
  if (release_has_zone_order(s.version)) {
    j["zonelist_order"] = std::string(zonelist_order_name(s.rules.zonelist_order));
    j["zonelist_order_reason"] = s.order_reason;
  }
  return j;
}

// "4.9.0 (era <=4.13, zone order)"; as in side_json, only sides up to 4.13 name the order.
std::string side_text(const Side& s) {
  std::string t = s.name + " (era " + std::string(era_name(s.rules.era));
  if (release_has_zone_order(s.version)) {
    t += ", " + std::string(zonelist_order_name(s.rules.zonelist_order)) + " order";
  }
  return t + ")";
}

int execute(const po::variables_map& vm) {
  const auto specs = vm.count("kernel") != 0 ? vm["kernel"].as<std::vector<std::string>>()
                                             : std::vector<std::string>{};
  if (specs.empty() || specs.size() > 2) {
    throw UsageError("give --kernel once (compare with the source's release) or twice (from, to)");
  }
  const Observation o = observe(vm);
  const auto own = rules_for_release(o.topology.kernel_release);
  const EraRules base = own.value_or(EraRules{});
  if (specs.size() == 1 && !own) {
    throw InputError("kernel release '" + o.topology.kernel_release +
                     "' of the source is not like 6.12.0: pass --kernel twice");
  }
  Side from = side_of(specs.size() == 2 ? specs[0] : o.topology.kernel_release, base);
  Side to = side_of(specs.back(), base);
  // --zonelist-order applies to the sides up to 4.13 (4.14+ builds node order only); it is refused
  // only when no side has zone order. The files are the same for both sides.
  const bool from_zone = release_has_zone_order(from.version);
  const bool to_zone = release_has_zone_order(to.version);
  const OrderSources sources = order_sources(vm, from_zone || !to_zone ? from.version : to.version);
  for (Side* side : {&from, &to}) {
    OrderSources s = sources;
    if (!release_has_zone_order(side->version) && (from_zone || to_zone)) {
      s.option.reset();
    }
    const ZonelistOrderChoice c = zonelist_order_for(o.topology, side->version, s);
    side->rules.zonelist_order = c.order;
    side->order_reason = c.reason;
  }
  RebuildContext ctx;
  ctx.kind = context_option(vm).value_or(RebuildKind::kBoot);
  const auto cmp = workflow::compare_eras(o.topology, from.rules, to.rules, ctx);
  const std::string context = ctx.kind == RebuildKind::kBoot ? "boot" : "runtime";
  Output sink;
  std::string& out = sink.text;
  if (json_wanted(vm)) {
    json nodes = json::array();
    for (const auto& n : cmp.nodes) {
      nodes.push_back({{"node", n.node},
                       {"order_changed", n.order_changed},
                       {"lists_changed", n.lists_changed},
                       {"from", node_json(o.topology, n.from)},
                       {"to", node_json(o.topology, n.to)}});
    }
    const json doc = {{"source", o.origin},       {"context", context},
                      {"from", side_json(from)},  {"to", side_json(to)},
                      {"changed", cmp.changed()}, {"nodes", std::move(nodes)}};
    out += doc.dump(2) + "\n";
  } else {
    out += "compare " + side_text(from) + " -> " + side_text(to) + " on " + o.origin + ", " +
           context + " rebuild\n";
    for (const auto& n : cmp.nodes) {
      if (!n.lists_changed) {
        out += "node " + std::to_string(n.node) + ": unchanged (order " + order_text(n.from) +
               (n.order_changed ? ", printed as " + order_text(n.to) + "; the lists are the same"
                                : "") +
               ")\n";
        continue;
      }
      out += "node " + std::to_string(n.node) + ": changes\n    order    " + order_text(n.from) +
             "  ->  " + order_text(n.to) + "\n    from     " + list_text(o.topology, n.from) +
             "\n    to       " + list_text(o.topology, n.to) + "\n";
    }
    out += "result: " + std::to_string(cmp.changed()) + " of " + std::to_string(cmp.nodes.size()) +
           " nodes change\n";
  }
  sink.flush();
  return kExitOk;
}

const Action kAction{"compare-eras",
                     "what changes in the lists if this machine moves from one kernel era to "
                     "another (--kernel A --kernel B)",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
