// SPDX-License-Identifier: GPL-2.0-or-later
// A rebuild context in words and as JSON (zonelens/report/context.hpp).
#include "zonelens/report/context.hpp"

#include "zonelens/verify.hpp"

namespace zonelens::report {

std::string_view context_kind_name(ContextKind kind) {
  switch (kind) {
    case ContextKind::kBoot:
      return "boot";
    case ContextKind::kRuntimeCurrent:
      return "runtime_current";
    case ContextKind::kRuntimeEvent:
      return "runtime_event";
    case ContextKind::kRuntimeInferred:
      return "runtime_inferred";
  }
  return "?";
}

std::string_view context_cause_name(ContextCause cause) {
  switch (cause) {
    case ContextCause::kGiven:
      return "given";
    case ContextCause::kDefault:
      return "default";
    case ContextCause::kNoRebuildSinceLoad:
      return "no_rebuild_since_load";
    case ContextCause::kEventLeftLog:
      return "event_left_log";
    case ContextCause::kMemoryEvent:
      return "memory_event";
    case ContextCause::kOtherEvent:
      return "other_event";
    case ContextCause::kInferred:
      return "inferred";
  }
  return "?";
}

std::uint64_t context_event_seq(const ContextCandidate& c) { return c.event ? c.event->seq : 0; }

namespace {

// "event 3 (mem_online nid 2)"
std::string describe(const Event& e) {
  std::string s = "event " + std::to_string(e.seq) + " (" + std::string(event_type_name(e.type));
  if (e.nid) {
    s += " nid " + std::to_string(*e.nid);
  }
  if (e.cpu) {
    s += " cpu " + std::to_string(*e.cpu);
  }
  return s + ")";
}

// Why the full rebuild of `c` (without its self-only builds).
std::string full_rebuild_reason(const ContextCandidate& c) {
  const std::string gen = std::to_string(c.generation);
  const std::string event = c.event ? describe(*c.event) : std::string("an event");
  switch (c.cause) {
    case ContextCause::kGiven:
      return c.context.kind == RebuildKind::kBoot ? "given with --context boot"
                                                  : "given with --context runtime";
    case ContextCause::kDefault:
      return "the default without the module's event log (pass --context runtime for a rebuild "
             "with the current CPU masks)";
    case ContextCause::kNoRebuildSinceLoad:
      return "no rebuild since the module loaded, so the lists predate the module's event log";
    case ContextCause::kEventLeftLog:
      return "the event that set generation " + gen + " has left the event log (" +
             std::to_string(c.dropped) + " dropped)";
    case ContextCause::kMemoryEvent:
      return event + " rebuilt the lists (generation " + gen + ") with the cpumasks it recorded";
    case ContextCause::kOtherEvent:
      return event + " noticed generation " + gen + " without a memory event to explain it";
    case ContextCause::kInferred: {
      return "the last rebuild predates the module's event log, so its CPU masks are unknown and "
             "no recorded context explains the lists; a rebuild that saw CPUs on memory nodes " +
             join_ids(c.inferred_cpus) + " (" + std::to_string(c.inferred_distance) +
             " memory nodes differ from the current masks) explains every list";
    }
  }
  return "?";
}

}  // namespace

std::string context_label(const ContextCandidate& c) {
  std::string s;
  switch (c.kind) {
    case ContextKind::kBoot:
      s = "boot";
      break;
    case ContextKind::kRuntimeCurrent:
      s = "runtime (current masks)";
      break;
    case ContextKind::kRuntimeEvent:
      s = "runtime (masks of event " + std::to_string(context_event_seq(c)) + ")";
      break;
    case ContextKind::kRuntimeInferred:
      s = "runtime (inferred masks: CPUs on memory nodes " + join_ids(c.inferred_cpus) + ")";
      break;
  }
  if (!c.self_only.empty()) {
    s += " + self-only build of node " + join_ids(c.self_only);
  }
  return s;
}

std::string context_reason(const ContextCandidate& c) {
  std::string s = full_rebuild_reason(c);
  if (!c.self_only.empty()) {
    std::string how;
    if (c.add_in_flight) {
      how = "node " + std::to_string(*c.add_in_flight) +
            " (offline with a pgdat, no memory, no CPUs: a DIMM add in flight, before "
            "node_set_online)" +
            (c.hot_added.empty() ? std::string() : " and hot-added node " + join_ids(c.hot_added));
    } else {
      how = "hot-added node " + join_ids(c.hot_added) + " (online, no memory, no CPUs)";
    }
    s = how + " built its own lists at DIMM add (" +
        (c.noticed_by ? describe(*c.noticed_by) : std::string("an event")) +
        " noticed it); the other nodes keep generation " + std::to_string(c.generation) + ": " + s;
  }
  if (c.explains_no_live_list) {
    s += " (note: no context reproduces the live lists; see zonelens verify)";
  }
  return s;
}

void context_json(JsonWriter& w, const ContextCandidate& c) {
  w.object(JsonWriter::Layout::kInline)
      .field("kind", context_kind_name(c.kind))
      .field("cause", context_cause_name(c.cause))
      .field("generation", c.generation)
      .key("event_seq");
  if (c.event) {
    w.value(c.event->seq);
  } else {
    w.null();
  }
  w.key("self_only").ints(c.self_only).key("inferred_cpu_nodes");
  if (c.inferred) {
    w.ints(c.inferred_cpus);
  } else {
    w.null();
  }
  w.field("inferred", c.inferred).end();
}

void context_fields(JsonWriter& w, const ContextCandidate& c) {
  w.key("context");
  context_json(w, c);
  w.field("context_reason", context_reason(c));
}

}  // namespace zonelens::report
