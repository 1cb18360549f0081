// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/workflow/watch.hpp"

#include "zonelens/verify.hpp"

namespace zonelens::workflow {

StateCheck check_state(const Snapshot& snapshot, const EventLog& log, const EraRules& rules) {
  StateCheck c;
  c.generation = snapshot.generation;
  c.fingerprint = snapshot.fingerprint;
  const Verification ver =
      *resolve_context(snapshot.topology, rules, &snapshot, &log, std::nullopt).against_live;
  c.verified = ver.match;
  c.context = ver.best().candidate;
  c.mismatched = ver.mismatched();
  c.stale_nodes = stale_nodes(snapshot.topology, rules, snapshot.zonelists);
  return c;
}

NewEvents events_after(const EventLog& log, std::uint64_t after_seq) {
  NewEvents n;
  for (const auto& e : log.events) {
    if (e.seq > after_seq) {
      n.events.push_back(e);
    }
  }
  if (log.last_seq > after_seq) {
    n.missing = (log.last_seq - after_seq) - n.events.size();
  }
  return n;
}

}  // namespace zonelens::workflow
