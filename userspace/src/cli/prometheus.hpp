// SPDX-License-Identifier: GPL-2.0-or-later
// `zonelens verify --prometheus FILE`: verify's answer as a Prometheus text exposition for
// node_exporter's textfile collector (docs/packaging.md). The report and its rendering are pure;
// write_textfile() is the edge.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"
#include "zonelens/sources.hpp"
#include "zonelens/verify.hpp"

namespace zonelens::cli {

// The event after which the lists have had their generation (EventLog::event_that_set).
struct RebuildEventMetric {
  std::uint64_t seq = 0;
  std::string type;  // "mem_online", "fp_change", ...
  std::optional<NodeId> nid;
  std::uint64_t boottime_ns = 0;  // ktime_get_boottime_ns() of the event
};

// What the module said and how it compared; absent when the module is not loaded.
struct ModuleMetrics {
  std::string kernel_release;
  std::string era;  // era_name() of the rules verify used
  std::uint64_t generation = 0;
  std::optional<RebuildEventMetric> last_rebuild;  // nullopt: none in the ring (or generation 0)
  Verification verification;
  std::vector<NodeId> stale_nodes;  // nodes whose lists a rebuild now (current CPUs) would change
};

struct PrometheusReport {
  std::optional<ModuleMetrics> module;
};

// The report of one verify run: the last rebuild event from the log, the stale nodes from a
// "rebuild now" prediction with the current cpumasks (as `zonelens watch` computes them).
ModuleMetrics module_metrics(const ModuleState& state, const EraRules& rules,
                             std::string_view kernel_release, Verification verification);

// The text exposition (version 0.0.4): every family with HELP and TYPE, names in base units,
// zonelens_ prefix, label values escaped.
std::string render_prometheus(const PrometheusReport& report);

// Writes `text` to `file` through FILE.tmp in the same directory and a rename, so that a reader
// (node_exporter) sees the old file or the new one, never a part; InputError names the file.
void write_textfile(const std::filesystem::path& file, std::string_view text);

}  // namespace zonelens::cli
