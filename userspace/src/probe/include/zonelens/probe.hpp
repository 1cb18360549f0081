// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens probe, the pure part (docs/probe.md): /proc/zoneinfo's per-zone state, PFN -> zone, the
// plan (which positions of a FALLBACK list a user page fault can reach, the budget), the order in
// which pages first appear in each zone, and that order against the list. No I/O, no words for
// people beyond the error messages: the report layer (report/probe.hpp) renders it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/topology.hpp"

namespace zonelens::probe {

// One "Node N, zone NAME" block of /proc/zoneinfo, with what the allocator's fast path reads.
struct ZoneState {
  NodeId node = 0;
  int index = 0;  // position of the block within its node (zone_idx)
  std::string name;
  std::uint64_t free = 0;  // "pages free" (NR_FREE_PAGES)
  std::uint64_t min = 0;   // min_wmark_pages (watermark_boost included)
  std::uint64_t low = 0;   // low_wmark_pages
  std::uint64_t high = 0;  // high_wmark_pages
  std::uint64_t spanned = 0;
  std::uint64_t present = 0;
  std::uint64_t managed = 0;
  std::uint64_t pcp = 0;  // pages on the per-CPU lists (the pagesets' "count:"), not in "free"
  std::optional<std::uint64_t> start_pfn;  // printed for populated zones only
  std::vector<std::uint64_t> protection;   // lowmem_reserve[], by zone index
  // The pages the fast path needs to stay above for an allocation whose highest zone is
  // `highest_zoneidx`: low + lowmem_reserve[highest_zoneidx].
  [[nodiscard]] std::uint64_t mark(int highest_zoneidx) const;
  // free above mark(), 0 when at or below it.
  [[nodiscard]] std::uint64_t headroom(int highest_zoneidx) const;
  [[nodiscard]] bool contains(std::uint64_t pfn) const {
    return start_pfn && pfn >= *start_pfn && pfn - *start_pfn < spanned;
  }
};

// Every block of /proc/zoneinfo (InputError naming `file` when one is malformed).
std::vector<ZoneState> parse_zoneinfo_state(std::string_view text, const std::string& file);
// The zone whose span holds `pfn` (nullptr when none does). Spans of one node's zones can
// interleave with another node's on some machines, so every span is checked.
const ZoneState* zone_of_pfn(const std::vector<ZoneState>& zones, std::uint64_t pfn);
const ZoneState* find_zone(const std::vector<ZoneState>& zones, const ZoneRef& ref);
// The highest zone a GFP_HIGHUSER_MOVABLE fault may use: ZONE_MOVABLE's index (by name), else the
// highest index zoneinfo shows.
int movable_index(const std::vector<ZoneState>& zones);

// Why a position of the list was not reached.
enum class Unreached {
  kReached,
  kProtected,      // free <= low + lowmem_reserve[Movable] when the probe began or passed it
  kNotAllowed,     // not in the probe's mems_allowed (cpuset)
  kStoppedBefore,  // after the last reachable position: the probe stops there (safety)
  kBudget,         // --max-mb or the plan's budget spent before it
  kTimeout,        // --timeout ran out before it
  kMargin,         // the free pages left above the marks fell to the safety margin before it
  kNoZoneinfo,     // the list names a zone /proc/zoneinfo does not show
  kKswapd,         // its node's kswapd was running when a later position got its first pages, on a
                   // kernel whose get_page_from_freelist skips such nodes (kernelSkipsKswapdNodes)
  kLate,           // passed over (kProtected or kKswapd at the time), reached afterwards
};

struct PositionPlan {
  ZoneRef ref;
  std::string zone_name;
  std::uint64_t free = 0;      // at the start
  std::uint64_t mark = 0;      // low + protection at the start
  std::uint64_t headroom = 0;  // free - mark, 0 when below
  std::uint64_t pcp = 0;       // per-CPU pages it also hands out before the next zone is used
  Unreached why_not = Unreached::kReached;  // kProtected/kNotAllowed/kNoZoneinfo known up front
};

struct Plan {
  NodeId node = 0;
  int highest_zoneidx = 0;
  std::vector<PositionPlan> positions;  // the FALLBACK list, in order
  // The last position the probe may reach (it stops on seeing it); nullopt when fewer than two
  // positions are usable, and then there is nothing to observe safely.
  std::optional<std::size_t> last;
  // The pages the usable positions before `last` hand out (headroom + per-CPU pages), plus four
  // chunks: an upper bound of what reaching `last` takes, not a safety rule (the margin is).
  std::uint64_t budget_pages = 0;
  std::uint64_t chunk_pages = 0;
};

// The plan for `list` (node `node`'s FALLBACK list) from the zones at the start. `allowed`: the
// nodes the probe may allocate on (mems_allowed), empty meaning every node.
Plan make_plan(NodeId node, const Zonelist& list, const std::vector<ZoneState>& zones,
               const std::vector<NodeId>& allowed, std::uint64_t chunk_pages);

// The order in which pages first appeared in each zone, with the pages seen there.
struct Appearance {
  ZoneRef ref;
  std::uint64_t pages = 0;
  std::uint64_t first_chunk = 0;  // the chunk (from 0) it first appeared in
};
class FirstAppearance {
 public:
  void add(const ZoneRef& ref, std::uint64_t pages, std::uint64_t chunk);
  [[nodiscard]] const std::vector<Appearance>& order() const { return order_; }
  [[nodiscard]] bool seen(const ZoneRef& ref) const;

 private:
  std::vector<Appearance> order_;
};

// The observed order against the plan's list. Agreement: every position passed over when a later
// one got its first pages was unusable then: known up front (kProtected, kNotAllowed,
// kNoZoneinfo) or `passed[i]` (kProtected: within a chunk of its mark at the read before that
// chunk; kKswapd: its node's kswapd was running around that chunk on a kernel that skips such
// nodes). Such a position may still receive pages later (kLate): the allocator took it again once
// it was usable. A zone that first appears after a later one without such a reason, or one the
// list does not name, is a disagreement.
struct Verdict {
  bool agree = false;
  std::vector<Unreached> positions;      // per position of the plan
  std::optional<std::size_t> first_bad;  // the observed entry (index into order()) that disagrees
  std::optional<std::size_t> skipped;    // a usable position passed over (index into positions)
  std::vector<ZoneRef> outside;          // zones seen that the list does not name
};
Verdict compare_order(const Plan& plan, const std::vector<Appearance>& observed,
                      const std::vector<Unreached>& passed, Unreached stop_reason);

// Whether this kernel's get_page_from_freelist skips the zones of nodes whose kswapd is running
// while another node's zone passes the watermark (`skip_kswapd_nodes`): in 7.2's mm/page_alloc.c,
// not in 6.12's; the first release with it was not determined, so every release after 6.12 is
// taken to have it.
bool kernel_skips_kswapd_nodes(int major, int minor);

}  // namespace zonelens::probe
