// SPDX-License-Identifier: GPL-2.0-or-later
// The pure half of `zonelens watch`: what is new in the event log, and how the live lists stand
// against the model (verified? stale?). The polling loop is in the CLI action.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zonelens/context.hpp"
#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"

namespace zonelens::workflow {

// The live lists against the model.
struct StateCheck {
  std::uint64_t generation = 0;
  std::uint64_t fingerprint = 0;
  bool verified = false;            // some candidate context predicts every node's lists
  ContextCandidate context;         // the context that did (or the first one tried)
  std::vector<NodeId> mismatched;   // nodes that differ under that context (empty when verified)
  std::vector<NodeId> stale_nodes;  // nodes whose lists a rebuild now would change
};

// verify's context choice (candidate_contexts) plus a "rebuild now" prediction with the current
// cpumasks: after CPU hotplug the live lists are stale until the next rebuild.
StateCheck check_state(const Snapshot& snapshot, const EventLog& log, const EraRules& rules);

// The events of `log` after `after_seq`, and how many sequence numbers in between the ring lost.
struct NewEvents {
  std::vector<Event> events;
  std::uint64_t missing = 0;
};
NewEvents events_after(const EventLog& log, std::uint64_t after_seq);

}  // namespace zonelens::workflow
