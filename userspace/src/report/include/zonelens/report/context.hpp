// SPDX-License-Identifier: GPL-2.0-or-later
// A rebuild context (zonelens/context.hpp) in words and as JSON: the one place a context is
// spelled. The kinds and causes are closed sets (docs/json.md, "context").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "zonelens/context.hpp"
#include "zonelens/report/json.hpp"

namespace zonelens::report {

// "boot", "runtime_current", "runtime_event", "runtime_inferred": JSON values and Prometheus
// labels.
std::string_view context_kind_name(ContextKind kind);
// "given", "default", "no_rebuild_since_load", "event_left_log", "memory_event", "other_event",
// "inferred".
std::string_view context_cause_name(ContextCause cause);
// The sequence number of the event that set the context's generation (whose masks kRuntimeEvent
// rebuilt with), 0 when there is none (generation 0, the event left the log, given, inferred).
std::uint64_t context_event_seq(const ContextCandidate& c);

// For people: "boot", "runtime (masks of event 2)", "boot + self-only build of node 3", ...
std::string context_label(const ContextCandidate& c);
// For people: one sentence saying why the context is tried.
std::string context_reason(const ContextCandidate& c);

// The "context" object of every JSON document (docs/json.md).
void context_json(JsonWriter& w, const ContextCandidate& c);
// "context" (the object) and "context_reason" (the sentence, for people).
void context_fields(JsonWriter& w, const ContextCandidate& c);

}  // namespace zonelens::report
