// SPDX-License-Identifier: GPL-2.0-or-later
// `zonelens verify --prometheus FILE`: verify's report as a Prometheus text exposition for
// node_exporter's textfile collector (docs/packaging.md). Pure: the CLI writes the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/report/reports.hpp"

namespace zonelens::report {

// The event after which the lists have had their generation (EventLog::event_that_set).
struct RebuildEventMetric {
  std::uint64_t seq = 0;
  std::string type;  // "mem_online", "fp_change", ...
  std::optional<NodeId> nid;
  std::uint64_t boottime_ns = 0;  // ktime_get_boottime_ns() of the event
};

// What the module said and how it compared; `verify` is null when the module is not loaded.
struct PrometheusReport {
  const VerifyReport* verify = nullptr;
  std::optional<RebuildEventMetric> last_rebuild;  // nullopt: none in the ring (or generation 0)
  std::vector<NodeId> stale_nodes;                 // compare's stale_nodes()
};

// The last rebuild event of `log` for `generation`, as the report names it.
std::optional<RebuildEventMetric> last_rebuild_metric(const EventLog& log,
                                                      std::uint64_t generation);

// The text exposition (version 0.0.4): every family with HELP and TYPE, names in base units,
// zonelens_ prefix, label values escaped.
std::string render_prometheus(const PrometheusReport& report);

}  // namespace zonelens::report
