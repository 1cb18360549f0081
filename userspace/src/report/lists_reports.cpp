// SPDX-License-Identifier: GPL-2.0-or-later
// show, predict and verify: the reports built on whole zonelists.
#include "kernel_line.hpp"
#include "zonelens/report/context.hpp"
#include "zonelens/report/lists.hpp"
#include "zonelens/report/reports.hpp"
#include "zonelens/zonelist_order.hpp"

namespace zonelens::report {

std::string order_line(const KernelLine& k) {
  if (!k.order_reason) {
    return "";
  }
  return "zonelist order: " + std::string(zonelist_order_name(k.rules.zonelist_order)) + " (" +
         *k.order_reason + ")\n";
}

void order_fields(JsonWriter& w, const KernelLine& k) {
  if (k.order_reason) {
    w.field("zonelist_order", zonelist_order_name(k.rules.zonelist_order))
        .field("zonelist_order_reason", *k.order_reason);
  } else {
    w.key("zonelist_order").null().key("zonelist_order_reason").null();
  }
}

namespace {

std::string_view arch_origin_name(ArchOrigin origin) {
  switch (origin) {
    case ArchOrigin::kOption:
      return "option";
    case ArchOrigin::kSource:
      return "source";
    case ArchOrigin::kDefault:
      return "default";
  }
  return "?";
}

}  // namespace

std::string arch_line(Arch arch, ArchOrigin origin) {
  std::string why;
  switch (origin) {
    case ArchOrigin::kOption:
      why = "given with --arch";
      break;
    case ArchOrigin::kSource:
      why = "named by the source";
      break;
    case ArchOrigin::kDefault:
      why = "the source names none; pass --arch for another";
      break;
  }
  return "arch: " + std::string(arch_name(arch)) + " (" + why + ")\n";
}

std::string arch_line(const KernelLine& k) { return arch_line(k.rules.arch, k.arch_origin); }

void arch_fields(JsonWriter& w, Arch arch, ArchOrigin origin) {
  w.field("arch", arch_name(arch)).field("arch_origin", arch_origin_name(origin));
}

void arch_fields(JsonWriter& w, const KernelLine& k) {
  arch_fields(w, k.rules.arch, k.arch_origin);
}

std::string predicate_text(const KernelLine& k) {
  return std::string(zone_predicate_name(k.rules.zone_predicate));
}

void render_text(Sink& sink, const ShowReport& r) {
  const Snapshot& s = *r.snapshot;
  sink.text += "zonelists of " + s.header.kernel_release + " (module " + s.header.module_version +
               ", " + r.dir + ", generation " + std::to_string(s.generation) + ", fingerprint " +
               format_fingerprint(s.fingerprint) + ")\n";
  nodes_text(sink, s.topology, s.zonelists, false);
}

void render_json(Sink& sink, const ShowReport& r) {
  const Snapshot& s = *r.snapshot;
  JsonWriter w(sink, JsonWriter::Style::kPretty);
  w.document()
      .field("kernel", s.header.kernel_release)
      .field("source", "module")
      .field("module_version", s.header.module_version)
      .field("fingerprint", format_fingerprint(s.fingerprint))
      .field("generation", s.generation)
      .field("module_reads", r.module_reads)
      .key("nodes");
  nodes_json(w, s.topology, s.zonelists);
  w.end().finish();
}

void render_text(Sink& sink, const PredictReport& r) {
  const KernelLine& k = r.kernel;
  sink.text += "predicted zonelists for " + k.release + " (era " +
               std::string(era_name(k.rules.era)) + ", " + predicate_text(k) + " zones, " +
               context_label(r.context) + " rebuild) of " + r.origin + " (" + r.source + ")\n";
  sink.text += "context: " + context_label(r.context) + ": " + context_reason(r.context) + "\n";
  sink.text += arch_line(k);
  sink.text += order_line(k);
  if (r.feed) {
    nodes_text(sink, *r.topology, r.feed, true);
  } else {
    nodes_text(sink, *r.topology, r.prediction.nodes, true);
  }
}

void render_json(Sink& sink, const PredictReport& r) {
  const KernelLine& k = r.kernel;
  JsonWriter w(sink, JsonWriter::Style::kPretty);
  w.document()
      .field("kernel", k.release)
      .field("era", era_name(k.rules.era))
      .field("zone_predicate", predicate_text(k));
  arch_fields(w, k);
  order_fields(w, k);
  context_fields(w, r.context);
  w.field("source", r.source).field("origin", r.origin).key("nodes");
  if (r.feed) {
    nodes_json(w, *r.topology, r.feed);
  } else {
    nodes_json(w, *r.topology, r.prediction.nodes);
  }
  w.end().finish();
}

namespace {

// "match (4 nodes)" / "mismatch (1 of 4 nodes differ, no context explains the lists)"
std::string verify_result(const Verification& ver) {
  const ContextAttempt& best = ver.best();
  return ver.match ? "match (" + std::to_string(best.verdicts.size()) + " nodes)"
                   : "mismatch (" + std::to_string(ver.mismatched().size()) + " of " +
                         std::to_string(best.verdicts.size()) + " nodes differ" +
                         (ver.attempts.size() > 1 ? ", no context explains the lists" : "") + ")";
}

}  // namespace

void render_summary(Sink& sink, const VerifyReport& r) {
  const Verification& ver = r.verification;
  const ContextCandidate& c = ver.best().candidate;
  std::string& out = sink.text;
  out += verify_result(ver) + "; generation " + std::to_string(r.generation) + "; kernel " +
         r.kernel.release + " (era " + std::string(era_name(r.kernel.rules.era)) + "); context " +
         std::string(context_kind_name(c.kind));
  std::vector<std::string> details;
  if (c.event) {
    details.push_back("event " + std::to_string(c.event->seq));
  }
  if (c.inferred) {
    details.push_back("CPUs on memory nodes " + ids_text(c.inferred_cpus, ",", "none"));
  }
  if (!c.self_only.empty()) {
    details.push_back("self-only nodes " + ids_text(c.self_only, ",", "none"));
  }
  for (std::size_t i = 0; i < details.size(); ++i) {
    out += (i == 0 ? " (" : ", ") + details[i] + (i + 1 == details.size() ? ")" : "");
  }
  if (!ver.match) {
    out += "; nodes differing: " + ids_text(ver.mismatched(), ",", "none");
  }
  out += '\n';
}

void render_text(Sink& sink, const VerifyReport& r) {
  const KernelLine& k = r.kernel;
  const Verification& ver = r.verification;
  const ContextAttempt& best = ver.best();
  std::string& out = sink.text;
  out += "verify " + r.dir + " (generation " + std::to_string(r.generation) + ") against " +
         k.release + " (era " + std::string(era_name(k.rules.era)) + ")\n";
  out += arch_line(k);
  out += order_line(k);
  out += "context: " + context_label(best.candidate) + ": " + context_reason(best.candidate) + "\n";
  if (ver.attempts.size() > 1 || !ver.match) {
    for (const auto& a : ver.attempts) {
      out += "  tried " + context_label(a.candidate) + ": " +
             (a.match ? "explains" : "does not explain") + " the lists\n";
    }
  }
  for (const auto& v : best.verdicts) {
    out += "node " + std::to_string(v.node) + ": ";
    if (v.match()) {
      out += "match\n";
      continue;
    }
    const auto& d = *v.difference;
    out += "mismatch at " + std::string(list_kind_name(d.list)) + "[" + std::to_string(d.position) +
           "]: live " + side_text(*r.topology, d.live) + ", predicted " +
           side_text(*r.topology, d.predicted) + "\n";
    sink.maybe_flush();
  }
  out += "result: " + verify_result(ver) + "\n";
}

void render_json(Sink& sink, const VerifyReport& r) {
  const KernelLine& k = r.kernel;
  const Verification& ver = r.verification;
  const ContextAttempt& best = ver.best();
  JsonWriter w(sink, JsonWriter::Style::kPretty);
  w.document().field("kernel", k.release).field("era", era_name(k.rules.era));
  arch_fields(w, k);
  order_fields(w, k);
  w.field("generation", r.generation)
      .field("fingerprint", format_fingerprint(r.fingerprint))
      .field("module_reads", r.module_reads);
  context_fields(w, best.candidate);
  w.field("context_inferred", best.candidate.inferred)
      .key("contexts_tried")
      .array(JsonWriter::Layout::kInline);
  for (const auto& a : ver.attempts) {
    w.object(JsonWriter::Layout::kInline).key("context");
    context_json(w, a.candidate);
    w.field("result", a.match ? "match" : "mismatch").end();
  }
  w.end().field("result", ver.match ? "match" : "mismatch").key("nodes").array();
  for (const auto& v : best.verdicts) {
    w.object(JsonWriter::Layout::kInline).field("node", v.node);
    if (v.match()) {
      w.field("status", "match").end();
      continue;
    }
    const auto& d = *v.difference;
    w.field("status", "mismatch")
        .field("list", list_kind_name(d.list))
        .field("position", d.position);
    w.key("live");
    side_json(w, *r.topology, d.live);
    w.key("predicted");
    side_json(w, *r.topology, d.predicted);
    w.end();
    sink.maybe_flush();
  }
  w.end().end().finish();
}

}  // namespace zonelens::report
