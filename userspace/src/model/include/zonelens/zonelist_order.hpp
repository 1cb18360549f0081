// SPDX-License-Identifier: GPL-2.0-or-later
// Which ZonelistOrder a kernel uses: numa_zonelist_order= on the command line, the
// vm.numa_zonelist_order sysctl, and the release's own default_zonelist_order().
// Pure functions of data (the files are read at the I/O edge, zonelens/sources.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/model.hpp"

namespace zonelens {

// user_zonelist_order: what the kernel was told (ZONELIST_ORDER_DEFAULT / _NODE / _ZONE).
enum class OrderRequest { kDefault, kNode, kZone };

std::string_view zonelist_order_name(ZonelistOrder order);  // "node" / "zone"
std::string_view order_request_name(OrderRequest request);  // "default" / "node" / "zone"

// __parse_numa_zonelist_order() of <= 4.13: only the first character counts, d/D, n/N, z/Z
// ("Zone", "zebra" and "z" are all zone order); nullopt for anything else (the kernel warns
// "Ignoring invalid numa_zonelist_order value" and keeps what it had).
std::optional<OrderRequest> parse_order_request(std::string_view value);

// Does this release have zone-ordered zonelists at all? Up to 4.13; c9bff3eebc09 ("mm,
// page_alloc: rip out ZONELIST_ORDER_ZONE", 4.14) removed them.
[[nodiscard]] bool release_has_zone_order(const KernelVersion& v);

// The values of every `name=value` parameter of a kernel command line, in order, the way the
// kernel's parse_args() splits it: blanks separate parameters, double quotes group (and are
// removed), parsing stops at a bare "--" (what follows is init's). A parameter without '=' has no
// value and is not listed.
std::vector<std::string> cmdline_values(std::string_view cmdline, std::string_view name);

// default_zonelist_order() of a 64-bit kernel of release `v` (<= 4.13) for `topo`.
struct DefaultOrder {
  ZonelistOrder order = ZonelistOrder::kNode;
  std::string why;  // which rule of that release decided, e.g. "64-bit default since 3.18"
  std::optional<std::string> error;  // the topology lacks what the rule reads
};
DefaultOrder default_zonelist_order(const Topology& topo, const KernelVersion& v);

// What the kernel was told, as read at the edges. A source that does not exist stays nullopt.
struct OrderSources {
  std::optional<OrderRequest> option;  // --zonelist-order (overrides everything)
  std::optional<std::string> sysctl;   // the text of /proc/sys/vm/numa_zonelist_order
  std::string sysctl_file;
  std::optional<std::string> cmdline;  // the text of /proc/cmdline
  std::string cmdline_file;
};

struct ZonelistOrderChoice {
  ZonelistOrder order = ZonelistOrder::kNode;
  std::string source;  // "--zonelist-order", the sysctl or cmdline file, or "default"
  std::string reason;  // one phrase: why this order
  std::vector<std::string> warnings;  // ignored command-line values, one sentence each
  std::optional<std::string> error;   // refused (exit 2): one sentence naming the option or file
};

// The one decision of which order a kernel of release `v` builds for `topo`:
//  - 4.14+: node order. --zonelist-order zone is refused; the files are not consulted (the kernel
//    accepts only d/n there and ignores them).
//  - <= 4.13: --zonelist-order if given; else the sysctl when it exists (it holds the command-line
//    value, copied there since a 2010 fix, and any later write, and a write rebuilds); else the
//    last valid numa_zonelist_order= of the command line (invalid ones are warnings, as in the
//    kernel); else "default". "default" is default_zonelist_order() of that release.
ZonelistOrderChoice choose_zonelist_order(const Topology& topo, const KernelVersion& v,
                                          const OrderSources& sources);

}  // namespace zonelens
