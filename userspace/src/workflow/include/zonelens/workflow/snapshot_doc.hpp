// SPDX-License-Identifier: GPL-2.0-or-later
// The document of `zonelens snapshot -o FILE`: the module's raw texts (so the snapshot can be
// re-parsed strictly and re-verified later), the kernel release, and derived fields for people and
// tools. Reading a document re-parses the raw texts; the derived fields are checked against them.
#pragma once

#include <string>
#include <string_view>

#include "zonelens/snapshot.hpp"

namespace zonelens::workflow {

inline constexpr int kSnapshotDocVersion = 1;

struct SnapshotDoc {
  std::string origin;        // "live" or "root DIR"
  std::string taken_at;      // UTC, ISO 8601
  std::string osrelease;     // /proc/sys/kernel/osrelease (first line)
  std::string raw_snapshot;  // the module's `snapshot` file, byte for byte
  std::string raw_events;    // the module's `events` file, byte for byte
  Snapshot snapshot;         // parse_snapshot(raw_snapshot)
  EventLog events;           // parse_event_log(raw_events)
};

// Builds a document from raw texts; throws InputError (names `file`) when they do not parse.
SnapshotDoc make_snapshot_doc(std::string origin, std::string taken_at, std::string osrelease,
                              std::string raw_snapshot, std::string raw_events,
                              const std::string& file);

// The JSON text of a document (one object, trailing newline).
std::string snapshot_doc_json(const SnapshotDoc& doc);

// Strict reader: refuses incomplete JSON, another document version, raw texts that do not parse
// (format 1, `end`, fingerprint) and derived fields that disagree with the raw texts.
SnapshotDoc parse_snapshot_doc(std::string_view text, const std::string& file);

// The current time as "2024-05-01T12:00:00Z".
std::string utc_now();

}  // namespace zonelens::workflow
