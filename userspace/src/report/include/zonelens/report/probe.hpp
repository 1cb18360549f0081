// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens probe's report (docs/probe.md): the plan, what was observed, the verdict and the facts
// about the machine that bear on it, with its text and JSON renderers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/context.hpp"
#include "zonelens/probe.hpp"
#include "zonelens/report/sink.hpp"

namespace zonelens::report {

// One pair of nodes whose distance libnuma reports differently from sysfs (or the module).
struct ProbeDistance {
  NodeId from = 0;
  NodeId to = 0;
  int libnuma = 0;
  int sysfs = 0;
};

struct ProbeReport {
  NodeId node = 0;
  bool from_module = true;     // the expected order is the module's live list, else the model's
  std::string kernel_release;  // the running kernel
  std::optional<ContextCandidate> context;  // the model's context (without the module)
  probe::Plan plan;
  std::vector<probe::Appearance> observed;
  probe::Verdict verdict;
  probe::Unreached stop = probe::Unreached::kStoppedBefore;  // kStoppedBefore: last position seen
  std::uint64_t page_size = 4096;
  std::uint64_t chunks = 0;
  std::uint64_t allocated_pages = 0;
  std::uint64_t max_pages = 0;
  std::uint64_t misplaced_pages = 0;  // move_pages named another node than the PFN's zone
  std::uint64_t unmapped_pages = 0;   // PFNs in no zone span of /proc/zoneinfo
  double seconds = 0;
  double timeout_seconds = 0;
  // The machine.
  int zone_reclaim_mode = 0;
  std::uint64_t swap_total_kb = 0;
  std::uint64_t page_cache_kb = 0;   // Cached + Buffers - Shmem: what kswapd could reclaim
  std::vector<NodeId> mems_allowed;  // libnuma's numa_get_mems_allowed()
  bool mems_restricted = false;      // smaller than the nodes with memory
  // libnuma's view beside sysfs.
  int libnuma_nodes = 0;
  int distances_compared = 0;
  std::vector<ProbeDistance> distance_mismatches;
};

// A position's status as a JSON token ("reached", "protected", ...) and its sentence.
std::string_view unreached_token(probe::Unreached u);
std::string unreached_reason(probe::Unreached u, const probe::PositionPlan& p);

void render_text(Sink& sink, const ProbeReport& r);
void render_json(Sink& sink, const ProbeReport& r);

}  // namespace zonelens::report
