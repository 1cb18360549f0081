// SPDX-License-Identifier: GPL-2.0-or-later
// Which zonelist order a kernel builds (docs/kernel-eras.md, "Zone order").
#include "zonelens/zonelist_order.hpp"

#include <cstdint>

namespace zonelens {
namespace {

constexpr int series(int major, int minor) { return (major * 1000) + minor; }
int series(const KernelVersion& v) { return series(v.major, v.minor); }

std::string release_text(const KernelVersion& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const Zone* zone_with_index(const Node& n, int index) {
  for (const auto& z : n.zones) {
    if (z.index == index) {
      return &z;
    }
  }
  return nullptr;
}

// The heuristic default_zonelist_order() had on every kernel before 3193913ce62c (3.18), as it
// reads in 3.17 (the first pass sums managed pages, the second present pages).
DefaultOrder low_memory_heuristic(const Topology& topo) {
  DefaultOrder d;
  int normal = -1;
  for (std::size_t i = 0; i < topo.zone_names.size(); ++i) {
    if (topo.zone_names[i] == "Normal") {
      normal = static_cast<int>(i);
    }
  }
  if (normal < 0) {
    d.error =
        "the topology has no zone named Normal, which default_zonelist_order() before 3.18 "
        "compares with: add it to zone_names or pass --zonelist-order node|zone";
    return d;
  }
  // Pass 1 over the online nodes: a node without a populated Normal zone means node order;
  // otherwise sum the managed pages below Normal and in all.
  std::uint64_t low = 0;
  std::uint64_t total = 0;
  int memory_nodes = 0;
  for (const auto& n : topo.nodes) {
    memory_nodes += n.memory ? 1 : 0;
    if (!n.online) {
      continue;
    }
    const Zone* nz = zone_with_index(n, normal);
    if (nz == nullptr || nz->present == 0) {
      d.order = ZonelistOrder::kNode;
      d.why = "the < 3.18 heuristic: online node " + std::to_string(n.id) +
              " has no Normal memory (e325c90ffc13)";
      return d;
    }
    for (const auto& z : n.zones) {
      if (z.present == 0) {
        continue;
      }
      low += z.index < normal ? z.managed : 0;
      total += z.managed;
    }
  }
  if (low == 0) {
    d.why = "the < 3.18 heuristic: no memory below Normal";
    return d;
  }
  if (low > total / 2) {
    d.why = "the < 3.18 heuristic: memory below Normal is more than half of all (" +
            std::to_string(low) + " of " + std::to_string(total) + " pages)";
    return d;
  }
  // Pass 2: a node larger than the average (over N_MEMORY + 1) whose memory below Normal is more
  // than 70% of its present pages means node order.
  const std::uint64_t average = total / static_cast<std::uint64_t>(memory_nodes + 1);
  for (const auto& n : topo.nodes) {
    if (!n.online) {
      continue;
    }
    std::uint64_t node_low = 0;
    std::uint64_t node_total = 0;
    for (const auto& z : n.zones) {
      if (z.present == 0) {
        continue;
      }
      node_low += z.index < normal ? z.present : 0;
      node_total += z.present;
    }
    if (node_low != 0 && node_total > average && node_low > node_total * 70 / 100) {
      d.why = "the < 3.18 heuristic: node " + std::to_string(n.id) +
              " is larger than the average and more than 70% of it is below Normal";
      return d;
    }
  }
  d.order = ZonelistOrder::kZone;
  d.why = "the < 3.18 heuristic: memory below Normal is small (" + std::to_string(low) + " of " +
          std::to_string(total) + " pages) and no large node is mostly below Normal";
  return d;
}

}  // namespace

std::string_view zonelist_order_name(ZonelistOrder order) {
  return order == ZonelistOrder::kZone ? "zone" : "node";
}

std::string_view order_request_name(OrderRequest request) {
  switch (request) {
    case OrderRequest::kNode:
      return "node";
    case OrderRequest::kZone:
      return "zone";
    case OrderRequest::kDefault:
      break;
  }
  return "default";
}

std::optional<OrderRequest> parse_order_request(std::string_view value) {
  if (value.empty()) {
    return std::nullopt;
  }
  switch (value.front()) {
    case 'd':
    case 'D':
      return OrderRequest::kDefault;
    case 'n':
    case 'N':
      return OrderRequest::kNode;
    case 'z':
    case 'Z':
      return OrderRequest::kZone;
    default:
      return std::nullopt;
  }
}

bool release_has_zone_order(const KernelVersion& v) { return era_row(era_for(v)).zone_order; }

std::vector<std::string> cmdline_values(std::string_view cmdline, std::string_view name) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    while (pos < cmdline.size() && blank(cmdline[pos])) {
      ++pos;
    }
    if (pos >= cmdline.size()) {
      return out;
    }
    // One parameter: up to the next blank outside double quotes; the quotes are dropped.
    std::string param;
    bool quoted = false;
    for (; pos < cmdline.size() && (quoted || !blank(cmdline[pos])); ++pos) {
      if (cmdline[pos] == '"') {
        quoted = !quoted;
      } else {
        param += cmdline[pos];
      }
    }
    const std::size_t eq = param.find('=');
    if (eq == std::string::npos) {
      if (param == "--") {
        return out;  // parse_args() stops here: the rest is for init
      }
      continue;
    }
    if (std::string_view(param).substr(0, eq) == name) {
      out.push_back(param.substr(eq + 1));
    }
  }
}

DefaultOrder default_zonelist_order(const Topology& topo, const KernelVersion& v) {
  if (series(v) >= series(3, 18)) {
    return DefaultOrder{.order = ZonelistOrder::kNode,
                        .why = "the 64-bit default since 3.18 (3193913ce62c)",
                        .error = std::nullopt};
  }
  return low_memory_heuristic(topo);
}

ZonelistOrderChoice choose_zonelist_order(const Topology& topo, const KernelVersion& v,
                                          const OrderSources& sources) {
  ZonelistOrderChoice c;
  if (!release_has_zone_order(v)) {
    if (sources.option == OrderRequest::kZone) {
      c.error = "--zonelist-order zone: " + release_text(v) +
                " has no zone order, 4.14 removed it (c9bff3eebc09, \"mm, page_alloc: rip out "
                "ZONELIST_ORDER_ZONE\"): pass node or default, or a --kernel up to 4.13";
      return c;
    }
    c.source = sources.option ? "--zonelist-order" : "4.14+";
    c.reason = "4.14+ builds node order only (c9bff3eebc09)";
    return c;
  }

  OrderRequest request = OrderRequest::kDefault;
  c.source = "default";
  if (sources.option) {
    request = *sources.option;
    c.source = "--zonelist-order";
  } else if (sources.sysctl) {
    std::string_view text = *sources.sysctl;
    while (!text.empty() && blank(text.back())) {
      text.remove_suffix(1);
    }
    const auto r = parse_order_request(text);
    if (!r) {
      c.error = sources.sysctl_file + ": '" + std::string(text) +
                "' is not a numa_zonelist_order value (default, node or zone): recapture it "
                "from the machine";
      return c;
    }
    request = *r;
    c.source = sources.sysctl_file;
  } else if (sources.cmdline) {
    for (const auto& value : cmdline_values(*sources.cmdline, "numa_zonelist_order")) {
      if (const auto r = parse_order_request(value)) {
        request = *r;
        c.source = sources.cmdline_file;
      } else {
        c.warnings.push_back(sources.cmdline_file + ": numa_zonelist_order=" + value +
                             " is ignored, as the kernel ignores it (\"Ignoring invalid "
                             "numa_zonelist_order value\"): use default, node or zone");
      }
    }
  }

  const std::string told = c.source == "default"
                               ? std::string("nothing set")
                               : c.source + " says " + std::string(order_request_name(request));
  if (request == OrderRequest::kDefault) {
    const DefaultOrder d = default_zonelist_order(topo, v);
    if (d.error) {
      c.error = *d.error;
      return c;
    }
    c.order = d.order;
    c.reason = told + ": " + d.why;
    return c;
  }
  c.order = request == OrderRequest::kZone ? ZonelistOrder::kZone : ZonelistOrder::kNode;
  c.reason = told;
  return c;
}

}  // namespace zonelens
