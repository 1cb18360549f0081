// SPDX-License-Identifier: GPL-2.0-or-later
#include "json_util.hpp"

#include "zonelens/idlist.hpp"

namespace zonelens::workflow {

using nlohmann::json;

json zonelist_json(const Topology& topo, const Zonelist& list) {
  json a = json::array();
  for (const auto& r : list) {
    a.push_back(zoneref_name(topo, r));
  }
  return a;
}

json zonelists_json(const Topology& topo, const std::vector<NodeZonelists>& lists) {
  json a = json::array();
  for (const auto& n : lists) {
    json o = {{"node", n.node},
              {"fallback", zonelist_json(topo, n.fallback)},
              {"nofallback", zonelist_json(topo, n.nofallback)}};
    if (!n.node_order.empty()) {
      o["node_order"] = n.node_order;
    }
    a.push_back(std::move(o));
  }
  return a;
}

json topology_json(const Topology& topo) {
  json nodes = json::array();
  for (const auto& n : topo.nodes) {
    json zones = json::array();
    for (const auto& z : n.zones) {
      zones.push_back({{"index", z.index},
                       {"name", z.name},
                       {"present", z.present},
                       {"managed", z.managed},
                       {"spanned", z.spanned}});
    }
    nodes.push_back({{"id", n.id},
                     {"online", n.online},
                     {"memory", n.memory},
                     {"normal_memory", n.normal_memory},
                     {"cpu", n.cpu},
                     {"cpus", format_id_list(n.cpus)},
                     {"has_pgdat", n.has_pgdat},
                     {"zones", std::move(zones)}});
  }
  json dist = json::array();
  for (const auto& a : topo.nodes) {
    json row = json::array();
    for (const auto& b : topo.nodes) {
      row.push_back(topo.distance.at(a.id, b.id));
    }
    dist.push_back(std::move(row));
  }
  return {{"kernel_release", topo.kernel_release},
          {"nr_node_ids", topo.nr_node_ids},
          {"max_numnodes", topo.max_numnodes},
          {"zone_names", topo.zone_names},
          {"nodes", std::move(nodes)},
          {"distance", std::move(dist)}};
}

json event_json(const Event& e) {
  json o = {{"seq", e.seq},
            {"ts_ns", e.ts_ns},
            {"type", std::string(event_type_name(e.type))},
            {"fingerprint", format_fingerprint(e.fingerprint)},
            {"generation", e.generation}};
  if (e.nid) {
    o["nid"] = *e.nid;
  }
  if (e.cpu) {
    o["cpu"] = *e.cpu;
  }
  if (e.pfn) {
    o["pfn"] = *e.pfn;
  }
  if (e.nr_pages) {
    o["nr_pages"] = *e.nr_pages;
  }
  if (!e.at.empty()) {
    o["at"] = e.at;
  }
  json cpus = json::object();
  for (const auto& [nid, list] : e.cpus) {
    cpus[std::to_string(nid)] = format_id_list(list);
  }
  o["cpus"] = std::move(cpus);
  return o;
}

}  // namespace zonelens::workflow
