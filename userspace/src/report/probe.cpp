// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens probe's report: text and JSON (zonelens/report/probe.hpp, docs/probe.md).
#include "zonelens/report/probe.hpp"

#include <cstdio>

#include "zonelens/report/context.hpp"
#include "zonelens/report/json.hpp"

namespace zonelens::report {
namespace {

using probe::Unreached;

std::string zone_label(const ProbeReport& r, const ZoneRef& ref) {
  for (const probe::PositionPlan& p : r.plan.positions) {
    if (p.ref == ref && !p.zone_name.empty()) {
      return std::to_string(ref.node) + ":" + p.zone_name;
    }
  }
  return std::to_string(ref.node) + ":zone" + std::to_string(ref.zone_index);
}

std::string mib(std::uint64_t pages, std::uint64_t page_size) {
  std::array<char, 32> b{};
  std::snprintf(b.data(), b.size(), "%.1f MiB",
                static_cast<double>(pages * page_size) / (1024.0 * 1024.0));
  return b.data();
}

std::string seconds(double s) {
  std::array<char, 32> b{};
  std::snprintf(b.data(), b.size(), "%.1f s", s);
  return b.data();
}

std::string stop_sentence(const ProbeReport& r) {
  switch (r.stop) {
    case Unreached::kStoppedBefore:
      return "the last reachable position was seen (the probe never fills it)";
    case Unreached::kBudget:
      return "the budget of " + mib(r.max_pages, r.page_size) + " was spent (--max-mb)";
    case Unreached::kTimeout:
      return "--timeout (" + seconds(r.timeout_seconds) + ") ran out";
    case Unreached::kMargin:
      return "the free pages above the marks of the positions left fell to the safety margin "
             "(two chunks)";
    default:
      return "the probe ended";
  }
}

std::optional<std::size_t> appearance_of(const ProbeReport& r, const ZoneRef& ref) {
  for (std::size_t k = 0; k < r.observed.size(); ++k) {
    if (r.observed[k].ref == ref) {
      return k;
    }
  }
  return std::nullopt;
}

std::string mismatch_sentence(const ProbeReport& r) {
  const probe::Verdict& v = r.verdict;
  if (r.observed.empty()) {
    return "no page was observed";
  }
  if (!v.outside.empty()) {
    return "pages landed in " + zone_label(r, v.outside.front()) + ", which node " +
           std::to_string(r.node) + "'s FALLBACK list does not name";
  }
  if (v.skipped) {
    const probe::PositionPlan& p = r.plan.positions[*v.skipped];
    return "position " + std::to_string(*v.skipped) + " (" + zone_label(r, p.ref) +
           ") was above its mark yet passed over for a later position";
  }
  if (v.first_bad) {
    return zone_label(r, r.observed[*v.first_bad].ref) +
           " received its first pages after a zone that comes later in the list";
  }
  return "the observed order differs from the list";
}

}  // namespace

std::string_view unreached_token(Unreached u) {
  switch (u) {
    case Unreached::kReached:
      return "reached";
    case Unreached::kProtected:
      return "protected";
    case Unreached::kNotAllowed:
      return "not-allowed";
    case Unreached::kStoppedBefore:
      return "stopped-before";
    case Unreached::kBudget:
      return "budget";
    case Unreached::kTimeout:
      return "timeout";
    case Unreached::kMargin:
      return "margin";
    case Unreached::kNoZoneinfo:
      return "no-zoneinfo";
    case Unreached::kKswapd:
      return "kswapd";
    case Unreached::kLate:
      return "late";
  }
  return "unknown";
}

std::string unreached_reason(Unreached u, const probe::PositionPlan& p) {
  switch (u) {
    case Unreached::kReached:
      return "";
    case Unreached::kProtected:
      return "free " + std::to_string(p.free) + " <= low + lowmem_reserve " +
             std::to_string(p.mark) +
             " (at the start, or when the probe passed it): a user page may not go there";
    case Unreached::kNotAllowed:
      return "its node is not in the probe's mems_allowed (cpuset)";
    case Unreached::kStoppedBefore:
      return "after the last reachable position: the probe stops there";
    case Unreached::kBudget:
      return "the budget ran out before it (--max-mb)";
    case Unreached::kTimeout:
      return "--timeout ran out before it";
    case Unreached::kMargin:
      return "the safety margin stopped the probe before it";
    case Unreached::kNoZoneinfo:
      return "/proc/zoneinfo does not show this zone";
    case Unreached::kKswapd:
      return "its node's kswapd was running when a later position got its first pages: this "
             "kernel's get_page_from_freelist skips such nodes while another node has room";
    case Unreached::kLate:
      return "passed over while it was at its watermark or its node's kswapd was running, "
             "used again afterwards";
  }
  return "";
}

void render_text(Sink& sink, const ProbeReport& r) {
  std::string& o = sink.text;
  o += "probe of node " + std::to_string(r.node) + " on " + r.kernel_release + ": expected order " +
       (r.from_module || !r.context
            ? std::string("from the module's live FALLBACK list")
            : "predicted by the model (" + context_label(*r.context) + "; no module loaded)") +
       "\n";
  o += "  pos  zone          free       mark  first chunk      pages  result\n";
  for (std::size_t i = 0; i < r.plan.positions.size(); ++i) {
    const probe::PositionPlan& p = r.plan.positions[i];
    const Unreached u =
        i < r.verdict.positions.size() ? r.verdict.positions[i] : Unreached::kReached;
    const auto k = appearance_of(r, p.ref);
    std::array<char, 160> b{};
    std::snprintf(b.data(), b.size(), "  %3zu  %-10s %8llu %10llu  %11s %10s  ", i,
                  zone_label(r, p.ref).c_str(), static_cast<unsigned long long>(p.free),
                  static_cast<unsigned long long>(p.mark),
                  k ? std::to_string(r.observed[*k].first_chunk).c_str() : "-",
                  k ? std::to_string(r.observed[*k].pages).c_str() : "-");
    o += b.data();
    if (u == Unreached::kReached && k) {
      o += "reached";
    } else if (u == Unreached::kLate) {
      o += "reached late: " + unreached_reason(u, p);
    } else if (u == Unreached::kReached) {
      o += "passed over while usable";
    } else {
      o += "unreached: " + unreached_reason(u, p);
    }
    o += "\n";
  }
  o += "observed order:";
  for (const probe::Appearance& a : r.observed) {
    o += " " + zone_label(r, a.ref);
  }
  o += "\n";
  std::size_t reached = 0;
  for (const Unreached u : r.verdict.positions) {
    reached += (u == Unreached::kReached || u == Unreached::kLate) ? 1 : 0;
  }
  o += std::string(r.verdict.agree ? "agree" : "DISAGREE") + ": " + std::to_string(reached) +
       " of " + std::to_string(r.plan.positions.size()) + " positions reached";
  if (!r.verdict.agree) {
    o += "; " + mismatch_sentence(r);
  }
  o += "\n";
  o += "probe: " + std::to_string(r.chunks) + " chunks of " + mib(r.plan.chunk_pages, r.page_size) +
       ", " + mib(r.allocated_pages, r.page_size) + " allocated in " + seconds(r.seconds) +
       "; stopped because " + stop_sentence(r) + "\n";
  o += "libnuma: " + std::to_string(r.libnuma_nodes) + " nodes, mems_allowed";
  for (const NodeId n : r.mems_allowed) {
    o += " " + std::to_string(n);
  }
  if (r.distance_mismatches.empty()) {
    o += "; its distances equal sysfs's (" + std::to_string(r.distances_compared) + " pairs)\n";
  } else {
    o += "; its distances differ from sysfs's:";
    for (const ProbeDistance& d : r.distance_mismatches) {
      o += " " + std::to_string(d.from) + "->" + std::to_string(d.to) + " libnuma " +
           std::to_string(d.libnuma) + " sysfs " + std::to_string(d.sysfs);
    }
    o += "\n";
  }
  if (r.mems_restricted) {
    o += "note: a cpuset restricts the probe's nodes: positions on other nodes are unreachable\n";
  }
  if (r.zone_reclaim_mode != 0) {
    o += "note: vm.zone_reclaim_mode is " + std::to_string(r.zone_reclaim_mode) +
         ": node_reclaim() runs before the allocator moves to the next zone, so reclaim is mixed "
         "into the order\n";
  }
  if (r.swap_total_kb != 0) {
    o += "note: swap is configured (" + std::to_string(r.swap_total_kb / 1024) +
         " MiB): kswapd can swap out the probe's pages and make a passed-over zone usable again; "
         "the first appearance of each zone is unaffected\n";
  }
  if (r.page_cache_kb >= std::uint64_t{64} * 1024) {
    o += "note: " + std::to_string(r.page_cache_kb / 1024) +
         " MiB of page cache: kswapd reclaims it when a zone falls below its low watermark, so a "
         "passed-over zone can be used again; the first appearance of each zone is unaffected\n";
  }
  if (r.misplaced_pages != 0) {
    o += "note: " + std::to_string(r.misplaced_pages) +
         " pages: move_pages named another node than the zone their PFN lies in\n";
  }
  if (r.unmapped_pages != 0) {
    o += "note: " + std::to_string(r.unmapped_pages) +
         " pages had a PFN in no zone span of /proc/zoneinfo\n";
  }
}

void render_json(Sink& sink, const ProbeReport& r) {
  JsonWriter w(sink, JsonWriter::Style::kPretty);
  w.document();
  w.field("node", r.node);
  w.field("kernel", r.kernel_release);
  w.field("expected", r.from_module ? "module" : "prediction");
  w.key("context");
  if (r.context) {
    context_json(w, *r.context);
  } else {
    w.null();
  }
  w.field("agree", r.verdict.agree);
  if (r.verdict.agree) {
    w.key("mismatch").null();
  } else {
    w.field("mismatch", mismatch_sentence(r));
  }
  w.key("positions").array();
  for (std::size_t i = 0; i < r.plan.positions.size(); ++i) {
    const probe::PositionPlan& p = r.plan.positions[i];
    const Unreached u =
        i < r.verdict.positions.size() ? r.verdict.positions[i] : Unreached::kReached;
    const auto k = appearance_of(r, p.ref);
    w.object(JsonWriter::Layout::kInline);
    w.field("pos", static_cast<std::uint64_t>(i));
    w.field("node", p.ref.node);
    w.field("zone", p.ref.zone_index);
    w.field("zone_name", p.zone_name);
    w.field("free", p.free);
    w.field("mark", p.mark);
    w.field("status", unreached_token(u));
    if (u == Unreached::kReached) {
      w.key("reason").null();
    } else {
      w.field("reason", unreached_reason(u, p));
    }
    if (k) {
      w.field("first_chunk", r.observed[*k].first_chunk);
      w.field("pages", r.observed[*k].pages);
    } else {
      w.key("first_chunk").null();
      w.field("pages", 0);
    }
    w.end();
  }
  w.end();
  w.key("observed").array();
  for (const probe::Appearance& a : r.observed) {
    w.object(JsonWriter::Layout::kInline);
    w.field("node", a.ref.node);
    w.field("zone", a.ref.zone_index);
    w.field("first_chunk", a.first_chunk);
    w.field("pages", a.pages);
    w.end();
  }
  w.end();
  w.field("stop", unreached_token(r.stop));
  w.field("page_size", r.page_size);
  w.field("chunk_pages", r.plan.chunk_pages);
  w.field("chunks", r.chunks);
  w.field("allocated_pages", r.allocated_pages);
  w.field("max_pages", r.max_pages);
  w.field("misplaced_pages", r.misplaced_pages);
  w.field("unmapped_pages", r.unmapped_pages);
  w.key("seconds").raw_value() += [&] {
    std::array<char, 32> b{};
    std::snprintf(b.data(), b.size(), "%.3f", r.seconds);
    return std::string(b.data());
  }();
  w.key("machine").object();
  w.field("zone_reclaim_mode", r.zone_reclaim_mode);
  w.field("swap_total_kb", r.swap_total_kb);
  w.field("page_cache_kb", r.page_cache_kb);
  w.key("mems_allowed").ints(r.mems_allowed);
  w.field("mems_restricted", r.mems_restricted);
  w.end();
  w.key("libnuma").object();
  w.field("nodes", r.libnuma_nodes);
  w.field("distances_compared", r.distances_compared);
  w.key("distance_mismatches").array(JsonWriter::Layout::kInline);
  for (const ProbeDistance& d : r.distance_mismatches) {
    w.object(JsonWriter::Layout::kInline);
    w.field("from", d.from);
    w.field("to", d.to);
    w.field("libnuma", d.libnuma);
    w.field("sysfs", d.sysfs);
    w.end();
  }
  w.end();
  w.end();
  w.end();
  w.finish();
}

}  // namespace zonelens::report
