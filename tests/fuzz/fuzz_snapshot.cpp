// SPDX-License-Identifier: GPL-2.0-or-later
// The module's snapshot and events files: SNAPSHOT \0 EVENTS.
#include "fuzz_util.hpp"
#include "zonelens/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace zonelens;
  const auto parts = fuzz::split_nul(fuzz::as_text(data, size));
  fuzz::refused_or_parsed([&] {
    const Snapshot s = parse_snapshot(parts[0], "snapshot");
    if (parts.size() > 1) {
      check_event_ids(s.header, parse_event_log(parts[1], "events"), "events");
    }
  });
  if (parts.size() > 1) {
    fuzz::refused_or_parsed([&] { (void)parse_event_log(parts[1], "events"); });
  }
  return 0;
}
