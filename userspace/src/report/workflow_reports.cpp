// SPDX-License-Identifier: GPL-2.0-or-later
// diff, compare-eras and watch.
#include "kernel_line.hpp"
#include "zonelens/report/context.hpp"
#include "zonelens/report/diff.hpp"
#include "zonelens/report/lists.hpp"
#include "zonelens/report/reports.hpp"
#include "zonelens/zonelist_order.hpp"

namespace zonelens::report {

namespace {

using Layout = JsonWriter::Layout;

std::string event_line(const Event& e) {
  return std::to_string(e.seq) + " " + std::string(event_type_name(e.type)) + ": " +
         describe_event(e) + ", CPUs on nodes " + nodes_with_cpus_text(e.cpus) + ", generation " +
         std::to_string(e.generation) + ", fp " + format_fingerprint(e.fingerprint);
}

void lists_json(JsonWriter& w, const Topology& topo, const NodeZonelists& n) {
  w.object(Layout::kInline).key("fallback");
  zonelist_json(w, topo, n.fallback);
  w.key("nofallback");
  zonelist_json(w, topo, n.nofallback);
  w.end();
}

void diff_side_json(JsonWriter& w, const DiffSide& s, std::uint64_t generation,
                    std::uint64_t fingerprint) {
  w.object(Layout::kInline)
      .field("file", s.file)
      .field("taken_at", s.doc->taken_at)
      .field("generation", generation)
      .field("fingerprint", format_fingerprint(fingerprint))
      .field("last_seq", s.doc->snapshot.events.last_seq)
      .end();
}

std::string diff_side_text(const std::string& name, const DiffSide& s, std::uint64_t generation,
                           std::uint64_t fingerprint) {
  return name + ": " + s.file + " (" + s.doc->origin + ", " + s.doc->taken_at + "): generation " +
         std::to_string(generation) + ", fingerprint " + format_fingerprint(fingerprint) +
         ", events up to seq " + std::to_string(s.doc->snapshot.events.last_seq) + "\n";
}

}  // namespace

void render_json(Sink& sink, const DiffCommandReport& rep) {
  const workflow::DiffReport& r = rep.diff;
  const Topology& ta = rep.a.doc->snapshot.topology;
  const Topology& tb = rep.b.doc->snapshot.topology;
  JsonWriter w(sink, JsonWriter::Style::kPretty);
  w.document().key("a");
  diff_side_json(w, rep.a, r.generation_a, r.fingerprint_a);
  w.key("b");
  diff_side_json(w, rep.b, r.generation_b, r.fingerprint_b);
  w.field("kernel", rep.kernel.release).field("era", era_name(rep.kernel.rules.era));
  arch_fields(w, rep.kernel);
  context_fields(w, r.context);
  w.field("module_reloaded", r.module_reloaded).key("events").array();
  for (const auto& e : r.between) {
    w.object(Layout::kInline)
        .field("seq", e.seq)
        .field("type", event_type_name(e.type))
        .field("description", describe_event(e))
        .field("nodes_with_cpus", nodes_with_cpus_text(e.cpus))
        .field("generation", e.generation)
        .field("fingerprint", format_fingerprint(e.fingerprint))
        .end();
  }
  w.end().field("missing_events", r.missing).field("lost_events", r.lost).key("changes").array();
  for (const auto& c : r.changes) {
    w.object()
        .field("node", c.node)
        .field("kind", change_kind_name(c.kind))
        .field("list", list_kind_name(c.first.list))
        .field("position", c.first.position)
        .key("before");
    lists_json(w, ta, c.before);
    w.key("after");
    lists_json(w, tb, c.after);
    w.key("as_predicted");
    if (c.as_predicted) {
      w.value(*c.as_predicted);
    } else {
      w.null();
    }
    w.end();
  }
  w.end().key("cause");
  if (r.cause) {
    w.value(r.cause->seq);
  } else {
    w.null();
  }
  w.key("model_mismatches").array();
  for (const auto& v : r.verdicts) {
    if (!v.match()) {
      w.object(Layout::kInline)
          .field("node", v.node)
          .field("list", list_kind_name(v.difference->list))
          .field("position", v.difference->position)
          .field("live", side_text(tb, v.difference->live))
          .field("predicted", side_text(tb, v.difference->predicted))
          .end();
    }
  }
  w.end()
      .field("result", r.explained ? "explained" : "unexplained")
      .field("summary", diff_summary(r))
      .end()
      .finish();
}

void render_text(Sink& sink, const DiffCommandReport& rep) {
  const workflow::DiffReport& r = rep.diff;
  const Topology& ta = rep.a.doc->snapshot.topology;
  const Topology& tb = rep.b.doc->snapshot.topology;
  std::string& out = sink.text;
  out += diff_side_text("A", rep.a, r.generation_a, r.fingerprint_a);
  out += diff_side_text("B", rep.b, r.generation_b, r.fingerprint_b);
  if (r.module_reloaded) {
    out += "the module was reloaded between A and B (or B predates A): events unknown\n";
  } else {
    out += "events in between: " + std::to_string(r.between.size()) + "\n";
    for (const auto& e : r.between) {
      out += "  " + event_line(e) + (r.cause && r.cause->seq == e.seq ? "  <- last rebuild" : "") +
             "\n";
    }
    if (r.missing != 0) {
      out += "  (" + std::to_string(r.missing) +
             " events in between left the ring before B was taken)\n";
    }
    if (r.lost != 0) {
      out += "  (" + std::to_string(r.lost) + " events were lost by the notifiers)\n";
    }
  }
  out += "changed nodes: " + std::to_string(r.changes.size()) + "\n";
  for (const auto& c : r.changes) {
    out += "  node " + std::to_string(c.node) + ": " + std::string(change_kind_name(c.kind)) +
           " (first difference at " + std::string(list_kind_name(c.first.list)) + "[" +
           std::to_string(c.first.position) + "])";
    if (c.as_predicted) {
      out += *c.as_predicted ? ", as predicted" : ", NOT as predicted";
    }
    out += "\n    before  " + zonelist_text(ta, c.before.fallback) + "\n    after   " +
           zonelist_text(tb, c.after.fallback) + "\n";
  }
  if (r.model_run) {
    out += "model: kernel " + rep.kernel.release + " (era " +
           std::string(era_name(rep.kernel.rules.era)) + "), context: " + context_label(r.context) +
           ": " + context_reason(r.context) + "\n";
    out += "  " + arch_line(rep.kernel);
    for (const auto& v : r.verdicts) {
      if (!v.match()) {
        out += "  node " + std::to_string(v.node) + ": " +
               std::string(list_kind_name(v.difference->list)) + "[" +
               std::to_string(v.difference->position) + "] is " +
               side_text(tb, v.difference->live) + ", the model predicts " +
               side_text(tb, v.difference->predicted) + "\n";
      }
    }
  }
  out += std::string(r.explained ? "result: explained: " : "result: unexplained: ") +
         diff_summary(r) + "\n";
}

namespace {

std::string order_text(const NodeZonelists* n) {
  return n == nullptr ? "(not built)" : ids_text(n->node_order, " ", "-");
}

std::string list_text(const Topology& topo, const NodeZonelists* n) {
  return n == nullptr ? "(not built)" : zonelist_text(topo, n->fallback);
}

void era_node_json(JsonWriter& w, const Topology& topo, const NodeZonelists* n) {
  if (n == nullptr) {
    w.null();
    return;
  }
  w.object(Layout::kInline).key("node_order").ints(n->node_order).key("fallback");
  zonelist_json(w, topo, n->fallback);
  w.key("nofallback");
  zonelist_json(w, topo, n->nofallback);
  w.end();
}

// The order is named only for sides up to 4.13 (null for 4.14+, which builds node order only).
void era_side_json(JsonWriter& w, const EraSide& s) {
  w.object(Layout::kInline).field("kernel", s.name).field("era", era_name(s.rules.era));
  if (s.names_order) {
    w.field("zonelist_order", zonelist_order_name(s.rules.zonelist_order))
        .field("zonelist_order_reason", s.order_reason);
  } else {
    w.key("zonelist_order").null().key("zonelist_order_reason").null();
  }
  w.end();
}

// "4.9.0 (era <=4.13, zone order)"; as in era_side_json, only sides up to 4.13 name the order.
std::string era_side_text(const EraSide& s) {
  std::string t = s.name + " (era " + std::string(era_name(s.rules.era));
  if (s.names_order) {
    t += ", " + std::string(zonelist_order_name(s.rules.zonelist_order)) + " order";
  }
  return t + ")";
}

}  // namespace

void render_json(Sink& sink, const CompareErasReport& r) {
  JsonWriter w(sink, JsonWriter::Style::kPretty);
  w.document().field("source", r.origin);
  arch_fields(w, r.from.rules.arch, r.arch_origin);
  context_fields(w, r.context);
  w.key("from");
  era_side_json(w, r.from);
  w.key("to");
  era_side_json(w, r.to);
  w.field("changed", r.comparison.changed()).key("nodes").array();
  for (const auto& n : r.comparison.nodes) {
    w.object()
        .field("node", n.node)
        .field("order_changed", n.order_changed)
        .field("lists_changed", n.lists_changed)
        .key("from");
    era_node_json(w, *r.topology, n.from);
    w.key("to");
    era_node_json(w, *r.topology, n.to);
    w.end();
  }
  w.end().end().finish();
}

void render_text(Sink& sink, const CompareErasReport& r) {
  std::string& out = sink.text;
  out += "compare " + era_side_text(r.from) + " -> " + era_side_text(r.to) + " on " + r.origin +
         ", " + (r.context.kind == ContextKind::kBoot ? "boot" : "runtime") + " rebuild\n";
  out += arch_line(r.from.rules.arch, r.arch_origin);
  for (const auto& n : r.comparison.nodes) {
    if (!n.lists_changed) {
      out +=
          "node " + std::to_string(n.node) + ": unchanged (order " + order_text(n.from) +
          (n.order_changed ? ", printed as " + order_text(n.to) + "; the lists are the same" : "") +
          ")\n";
      continue;
    }
    out += "node " + std::to_string(n.node) + ": changes\n    order    " + order_text(n.from) +
           "  ->  " + order_text(n.to) + "\n    from     " + list_text(*r.topology, n.from) +
           "\n    to       " + list_text(*r.topology, n.to) + "\n";
  }
  out += "result: " + std::to_string(r.comparison.changed()) + " of " +
         std::to_string(r.comparison.nodes.size()) + " nodes change\n";
}

namespace {

void check_json(JsonWriter& w, const workflow::StateCheck& c) {
  w.object()
      .field("generation", c.generation)
      .field("fingerprint", format_fingerprint(c.fingerprint))
      .field("verified", c.verified)
      .key("context");
  context_json(w, c.context);
  w.key("mismatched_nodes")
      .ints(c.mismatched)
      .field("stale", !c.stale_nodes.empty())
      .key("stale_nodes")
      .ints(c.stale_nodes)
      .end();
}

std::string check_text(const workflow::StateCheck& c) {
  std::string s = "generation " + std::to_string(c.generation) + ": ";
  const std::string context = context_label(c.context);
  s += c.verified ? "verified (" + context + ")"
                  : "MISMATCH on nodes " + join_ids(c.mismatched) + " (" + context + ")";
  s += c.stale_nodes.empty()
           ? "; up to date"
           : "; stale: nodes " + join_ids(c.stale_nodes) + " would move at the next rebuild";
  return s;
}

// One JSON line.
JsonWriter line(Sink& sink, std::string_view type) {
  JsonWriter w(sink, JsonWriter::Style::kCompact);
  w.document().field("type", type);
  return w;
}

}  // namespace

void render_json(Sink& sink, const WatchStart& r) {
  JsonWriter w = line(sink, "start");
  w.field("dir", r.dir).field("kernel", r.kernel).field("last_seq", r.last_seq).key("check");
  check_json(w, r.check);
  w.end().finish();
}

void render_text(Sink& sink, const WatchStart& r) {
  sink.text += "watching " + r.dir + " from seq " + std::to_string(r.last_seq) + ", " +
               check_text(r.check) + "\n";
}

void render_json(Sink& sink, const WatchReloaded& r) {
  line(sink, "reloaded").field("loaded_ns", r.loaded_ns).end().finish();
}

void render_text(Sink& sink, const WatchReloaded& /*r*/) {
  sink.text += "the module was reloaded: following the new event log from its start\n";
}

void render_json(Sink& sink, const WatchDropped& r) {
  line(sink, "dropped").field("after_seq", r.after_seq).field("count", r.count).end().finish();
}

void render_text(Sink& sink, const WatchDropped& r) {
  sink.text += std::to_string(r.count) + " events after seq " + std::to_string(r.after_seq) +
               " left the ring before they were read\n";
}

void render_json(Sink& sink, const WatchEvent& r) {
  const Event& e = r.event;
  JsonWriter w = line(sink, "event");
  w.field("seq", e.seq)
      .field("event", event_type_name(e.type))
      .field("description", describe_event(e))
      .field("generation", e.generation)
      .field("generation_changed", r.generation_changed)
      .field("nodes_with_cpus", nodes_with_cpus_text(e.cpus))
      .key("check");
  if (r.check) {
    check_json(w, *r.check);
  } else {
    w.null();
  }
  w.end().finish();
}

void render_text(Sink& sink, const WatchEvent& r) {
  const Event& e = r.event;
  sink.text += "seq " + std::to_string(e.seq) + " " + std::string(event_type_name(e.type)) + ": " +
               describe_event(e) +
               (r.generation_changed ? ", new generation " + std::to_string(e.generation) : "");
  if (r.check) {
    sink.text += "; now " + check_text(*r.check);
  }
  sink.text += '\n';
}

void render_json(Sink& sink, const WatchStop& r) {
  line(sink, "stop")
      .field("reason", r.reason)
      .field("events", r.events)
      .field("failed", r.failed)
      .end()
      .finish();
}

void render_text(Sink& sink, const WatchStop& r) {
  sink.text += "stopped (" + r.reason + ") after " + std::to_string(r.events) + " events" +
               (r.failed ? ", with a failed verification" : "") + "\n";
}

}  // namespace zonelens::report
