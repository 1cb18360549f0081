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

namespace {

bool zones_known(const PredictReport& r) { return r.notes == nullptr || r.notes->zones_known; }

ReleaseFile release_file(const PredictReport& r) {
  return r.notes == nullptr ? ReleaseFile::kNone : r.notes->release_file;
}

// "nodeN/meminfo MemTotal > 0": what a derived file came from, for people.
std::string_view derived_from_text(DerivedFrom from) {
  switch (from) {
    case DerivedFrom::kNodeDirectories:
      return "the nodeN directories present";
    case DerivedFrom::kMemTotal:
      return "nodeN/meminfo MemTotal > 0";
    case DerivedFrom::kMemory:
      return "N_MEMORY (no CONFIG_HIGHMEM assumed)";
    case DerivedFrom::kCpulist:
      return "nodeN/cpulist not empty";
    case DerivedFrom::kCpumap:
      return "nodeN/cpumap (a kernel before 2.6.26, or a capture without the list)";
  }
  return "?";
}

// "meminfo_memtotal": the JSON value of derived[].from, a closed set (docs/json.md).
std::string_view derived_from_name(DerivedFrom from) {
  switch (from) {
    case DerivedFrom::kNodeDirectories:
      return "node_directories";
    case DerivedFrom::kMemTotal:
      return "meminfo_memtotal";
    case DerivedFrom::kMemory:
      return "n_memory";
    case DerivedFrom::kCpulist:
      return "cpulist";
    case DerivedFrom::kCpumap:
      return "cpumap";
  }
  return "?";
}

// The lines a capture with derived files, unknown zones or no release adds to the header; none
// for a source that lacked nothing.
std::string notes_text(const PredictReport& r) {
  std::string out;
  if (r.kernel.release_assumed) {
    out += "kernel: unknown, era " + std::string(era_name(r.kernel.rules.era)) +
           " assumed (the newest): the capture has neither proc/sys/kernel/osrelease nor "
           "proc/version; pass --kernel REL for an older kernel\n";
  } else if (release_file(r) == ReleaseFile::kProcVersion) {
    out += "kernel: release from proc/version (no proc/sys/kernel/osrelease)\n";
  }
  if (!zones_known(r)) {
    out += "zones: unknown (no proc/zoneinfo): the node order of each fallback list only\n";
  }
  if (r.notes != nullptr) {
    for (const auto& d : r.notes->derived) {
      out += "derived: " + d.file + " from " + std::string(derived_from_text(d.from)) + "\n";
    }
  }
  return out;
}

// release_assumed, release_file, zones_known, derived: present for every source (docs/json.md).
void notes_fields(JsonWriter& w, const PredictReport& r) {
  w.field("release_assumed", r.kernel.release_assumed).key("release_file");
  if (release_file(r) == ReleaseFile::kNone) {
    w.null();
  } else {
    w.value(release_file_path(release_file(r)));
  }
  w.field("zones_known", zones_known(r)).key("derived").array();
  if (r.notes != nullptr) {
    for (const auto& d : r.notes->derived) {
      w.object(JsonWriter::Layout::kInline)
          .field("file", d.file)
          .field("from", derived_from_name(d.from))
          .end();
    }
  }
  w.end();
}

}  // namespace

void render_text(Sink& sink, const PredictReport& r) {
  const KernelLine& k = r.kernel;
  sink.text += "predicted zonelists for " + k.release + " (era " +
               std::string(era_name(k.rules.era)) + ", " +
               (zones_known(r) ? predicate_text(k) + " zones, " : std::string("zones unknown, ")) +
               context_label(r.context) + " rebuild) of " + r.origin + " (" + r.source + ")\n";
  sink.text += "context: " + context_label(r.context) + ": " + context_reason(r.context) + "\n";
  sink.text += arch_line(k);
  sink.text += order_line(k);
  sink.text += notes_text(r);
  if (r.feed) {
    nodes_text(sink, *r.topology, r.feed, true, zones_known(r));
  } else {
    nodes_text(sink, *r.topology, feed_of(r.prediction.nodes), true, zones_known(r));
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
  w.field("source", r.source).field("origin", r.origin);
  notes_fields(w, r);
  w.key("nodes");
  if (r.feed) {
    nodes_json(w, *r.topology, r.feed, zones_known(r));
  } else {
    nodes_json(w, *r.topology, feed_of(r.prediction.nodes), zones_known(r));
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
