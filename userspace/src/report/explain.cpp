// SPDX-License-Identifier: GPL-2.0-or-later
// explain: every find_next_best_node() step of one node, scored.
#include <algorithm>

#include "kernel_line.hpp"
#include "zonelens/report/lists.hpp"
#include "zonelens/report/reports.hpp"

namespace zonelens::report {

namespace {

void score_json(JsonWriter& w, const CandidateScore& s) {
  w.object(JsonWriter::Layout::kInline)
      .field("node", s.node)
      .field("distance", s.distance)
      .field("below_local", s.below_local)
      .field("cpu_penalty", s.cpu_penalty)
      .field("base", s.base)
      .field("multiplier", s.multiplier)
      .field("node_load", s.node_load)
      .field("total", s.total)
      .end();
}

void score_or_null(JsonWriter& w, const std::optional<CandidateScore>& s) {
  if (s) {
    score_json(w, *s);
  } else {
    w.null();
  }
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

}  // namespace

void render_json(Sink& sink, const ExplainReport& r) {
  const Explanation& x = r.explanation;
  const KernelLine& k = r.kernel;
  JsonWriter w(sink, JsonWriter::Style::kPretty);
  w.document()
      .field("node", x.node)
      .field("source", r.origin)
      .field("kernel", k.release)
      .field("era", era_name(k.rules.era))
      .field("zone_predicate", predicate_text(k));
  arch_fields(w, k);
  context_fields(w, r.context);
  w.field("built", x.built)
      .field("local_first", x.local_first)
      .field("nr_online_nodes", x.nr_online_nodes)
      .field("multiplier", x.multiplier)
      .key("built_before")
      .ints(x.built_before)
      .key("earlier_updates")
      .array();
  for (const auto& u : x.earlier_updates) {
    w.object(JsonWriter::Layout::kInline)
        .field("built_for", u.built_for)
        .field("node", u.node)
        .field("before", u.before)
        .field("after", u.after)
        .end();
  }
  w.end().key("node_load_at_start").ints(x.node_load_at_start);
  w.key("node_order").ints(x.node_order);
  w.key("stopped_at_int_max");
  if (x.stopped_at_int_max) {
    w.value(*x.stopped_at_int_max);
  } else {
    w.null();
  }
  w.key("steps").array();
  for (const auto& s : x.steps) {
    w.object()
        .field("position", s.position)
        .field("picked", s.picked)
        .field("reason", pick_reason_name(s.reason))
        .field("why", why(s))
        .key("candidates")
        .array();
    for (const auto& c : s.candidates) {
      score_json(w, c);
    }
    w.end().key("winner");
    score_or_null(w, s.winner);
    w.key("runner_up");
    score_or_null(w, s.runner_up);
    w.field("load_counter", s.load_counter);
    if (s.load_update) {
      w.key("load_update")
          .object(JsonWriter::Layout::kInline)
          .field("node", s.load_update->node)
          .field("before", s.load_update->before)
          .field("after", s.load_update->after)
          .end();
    }
    w.end();
  }
  w.end();
  if (k.order_reason) {  // 4.14+ output stays as it was
    order_fields(w, k);
    w.key("fallback").array();
    for (const auto& f : fallback_sources(x)) {
      std::string zone;
      append_zoneref(zone, *r.topology, f.ref);
      w.object(JsonWriter::Layout::kInline)
          .field("position", f.position)
          .field("zoneref", zone)
          .field("zone_index", f.ref.zone_index)
          .field("node", f.ref.node)
          .field("order_position", f.order_position)
          .end();
    }
    w.end();
  }
  w.end().finish();
}

void render_text(Sink& sink, const ExplainReport& r) {
  const Explanation& x = r.explanation;
  const KernelLine& k = r.kernel;
  std::string& out = sink.text;
  out += "explain node " + std::to_string(x.node) + " (" + r.origin + "): kernel " + k.release +
         " (era " + std::string(era_name(k.rules.era)) + ", " + predicate_text(k) + " zones)\n";
  out += "context: " + context_label(r.context) + ": " + context_reason(r.context) + "\n";
  out += arch_line(k);
  out += order_line(k);
  if (!x.built) {
    out += "node " + std::to_string(x.node) +
           " is not built by this rebuild in this era: its zonelists stay empty\n";
    return;
  }
  out += "nr_online_nodes " + std::to_string(x.nr_online_nodes) + ", multiplier " +
         std::to_string(x.multiplier) +
         ", built before this node: " + ids_text(x.built_before, " ", "-") + "\n";
  std::string loads;
  for (std::size_t i = 0; i < x.node_load_at_start.size(); ++i) {
    if (x.node_load_at_start[i] != 0) {
      loads += (loads.empty() ? "" : " ") + std::to_string(i) + ":" +
               std::to_string(x.node_load_at_start[i]);
    }
  }
  out += "node_load at start: " + (loads.empty() ? std::string("all 0") : loads) + "\n";
  out += "fallback order: " + ids_text(x.node_order, " ", "-") + "\n";
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
      append_zoneref(zone, *r.topology, f.ref);
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
}

}  // namespace zonelens::report
