// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/workflow/snapshot_doc.hpp"

#include <array>
#include <ctime>
#include <nlohmann/json.hpp>

#include "json_util.hpp"
#include "zonelens/error.hpp"
#include "zonelens/workflow/json_schema.hpp"

namespace zonelens::workflow {

using nlohmann::json;

SnapshotDoc make_snapshot_doc(std::string origin, std::string taken_at, std::string osrelease,
                              std::string raw_snapshot, std::string raw_events,
                              const std::string& file) {
  SnapshotDoc d;
  d.origin = std::move(origin);
  d.taken_at = std::move(taken_at);
  d.osrelease = std::move(osrelease);
  d.raw_snapshot = std::move(raw_snapshot);
  d.raw_events = std::move(raw_events);
  d.snapshot = parse_snapshot(d.raw_snapshot, file + " (snapshot)");
  d.events = parse_event_log(d.raw_events, file + " (events)");
  if (d.events.in_flight) {
    throw ModuleUnsettled(file + " (events)",
                          "taken while " + describe_memory_op(*d.events.in_flight) +
                              " was in progress: take the snapshot again when it has ended",
                          true, d.events.in_flight);
  }
  return d;
}

std::string snapshot_doc_json(const SnapshotDoc& d) {
  const Snapshot& s = d.snapshot;
  json j;
  j["schema"] = kJsonSchema;
  j["zonelens_snapshot"] = kSnapshotDocVersion;
  j["origin"] = d.origin;
  j["taken_at"] = d.taken_at;
  j["osrelease"] = d.osrelease;
  j["kernel_release"] = s.header.kernel_release;
  j["module_version"] = s.header.module_version;
  j["generation"] = s.generation;
  j["fingerprint"] = format_fingerprint(s.fingerprint);
  j["event_log"] = {{"first_seq", s.events.first_seq}, {"last_seq", s.events.last_seq},
                    {"dropped", s.events.dropped},     {"lost", s.events.lost},
                    {"capacity", s.events.capacity},   {"loaded_ns", d.events.loaded_ns}};
  j["topology"] = topology_json(s.topology);
  j["zonelists"] = zonelists_json(s.topology, s.zonelists);
  json ev = json::array();
  for (const auto& e : d.events.events) {
    ev.push_back(event_json(e));
  }
  j["events"] = std::move(ev);
  j["raw"] = {{"snapshot", d.raw_snapshot}, {"events", d.raw_events}};
  return j.dump(2) + "\n";
}

SnapshotDoc parse_snapshot_doc(std::string_view text, const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception&) {  // parse_error, and out_of_range for a number like 1E999999
    throw InputError(file +
                     ": not a complete JSON document (truncated or not a zonelens "
                     "snapshot): take it again with 'zonelens snapshot -o FILE'");
  }
  auto str = [&](const char* key) -> std::string {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
      throw InputError(file + ": no string field '" + key +
                       "': pass a file written by 'zonelens snapshot -o FILE'");
    }
    return j[key].get<std::string>();
  };
  if (!j.is_object() || !j.contains("zonelens_snapshot") ||
      !j["zonelens_snapshot"].is_number_integer()) {
    throw InputError(file +
                     ": not a zonelens snapshot (no 'zonelens_snapshot' field): pass a file "
                     "written by 'zonelens snapshot -o FILE'");
  }
  if (j["zonelens_snapshot"].get<int>() != kSnapshotDocVersion) {
    throw InputError(file + ": snapshot document version " +
                     std::to_string(j["zonelens_snapshot"].get<long long>()) +
                     ", this zonelens reads version 1: use a matching zonelens");
  }
  if (!j.contains("raw") || !j["raw"].is_object() || !j["raw"].contains("snapshot") ||
      !j["raw"]["snapshot"].is_string() || !j["raw"].contains("events") ||
      !j["raw"]["events"].is_string()) {
    throw InputError(file +
                     ": no raw module texts ('raw.snapshot', 'raw.events'): take the "
                     "snapshot again with 'zonelens snapshot -o FILE'");
  }
  SnapshotDoc d = make_snapshot_doc(str("origin"), str("taken_at"), str("osrelease"),
                                    j["raw"]["snapshot"].get<std::string>(),
                                    j["raw"]["events"].get<std::string>(), file);
  const std::string fp = str("fingerprint");
  if (fp != format_fingerprint(d.snapshot.fingerprint) || !j.contains("generation") ||
      !j["generation"].is_number_unsigned() ||
      j["generation"].get<std::uint64_t>() != d.snapshot.generation ||
      str("kernel_release") != d.snapshot.header.kernel_release) {
    throw InputError(file +
                     ": fingerprint, generation or kernel_release disagree with "
                     "raw.snapshot (the file was edited): take the snapshot again");
  }
  return d;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {buf.data(), n};
}

}  // namespace zonelens::workflow
