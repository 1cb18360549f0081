// SPDX-License-Identifier: GPL-2.0-or-later
// The module's debugfs files (docs/debugfs-format.md, formats 1 to 4) as typed data, and their
// strict parsers. Parsers are pure (text in, data out); reading the files is in sources.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/error.hpp"
#include "zonelens/model.hpp"
#include "zonelens/topology.hpp"

namespace zonelens {

// The format the module writes: ZL_FORMAT_VERSION of kmod/zl.h, which CMake passes on (formats 1
// to 4 are still read).
inline constexpr int kDebugfsFormatVersion = ZONELENS_DEBUGFS_FORMAT;

// The header section.
struct SnapshotHeader {
  int format_version = kDebugfsFormatVersion;
  std::string module_version;
  std::string kernel_release;
  std::string arch;  // init_utsname()->machine (format 5; empty before)
  int nr_node_ids = 0;
  int max_numnodes = 0;
  int max_nr_zones = 0;
  int nr_cpu_ids = 0;
  std::vector<std::string> zone_names;  // by zone index
};

// The `events` line of a snapshot: where the event log stood when the snapshot was taken.
struct EventLogPosition {
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  std::uint64_t dropped = 0;
  std::uint64_t lost = 0;
  std::uint64_t capacity = 0;
};

// The zonelists the running kernel has (the `zonelist` lines), one entry per node with a pgdat,
// ascending id. node_order is left empty (the module does not print it).
using LiveZonelists = std::vector<NodeZonelists>;

// A memory online or offline the kernel was in the middle of (the `inflight` line, format 4): from
// its first notification (MEM_GOING_*, or the node notifier's NODE_ADDING_FIRST_MEMORY /
// NODE_REMOVING_LAST_MEMORY on 6.17+) to its last. The node events carry no pfn range.
struct MemoryOp {
  bool online = true;  // online or offline
  NodeId nid = 0;
  std::optional<std::uint64_t> pfn;
  std::optional<std::uint64_t> nr_pages;
  std::uint64_t seq = 0;  // the event that started it
};

// A module file rendered while the kernel was between two states: no two passes agreed
// (`stable 0`), or a memory operation was in flight. Not bad input: the same file read again
// later gives the settled state (read_module waits for it). The message says what was seen.
class ModuleUnsettled : public InputError {
 public:
  ModuleUnsettled(std::string file, std::string_view what, bool stable, std::optional<MemoryOp> op)
      : InputError(file + ": " + std::string(what)),
        file_(std::move(file)),
        stable_(stable),
        op_(op) {}
  [[nodiscard]] const std::string& file() const { return file_; }  // the file that said so
  [[nodiscard]] bool stable() const { return stable_; }
  [[nodiscard]] const std::optional<MemoryOp>& op() const { return op_; }

 private:
  std::string file_;
  bool stable_;
  std::optional<MemoryOp> op_;
};

// A whole `snapshot` file. Only settled snapshots are ever returned (parse_snapshot throws
// ModuleUnsettled for `stable 0` or an operation in flight), so there is no `stable` field.
struct Snapshot {
  SnapshotHeader header;
  int passes = 0;
  Topology topology;  // nodes, states, cpumask_of_node, distances, zones, as the kernel has them
  LiveZonelists zonelists;
  std::uint64_t fingerprint = 0;  // verified against the zonelist lines
  std::uint64_t generation = 0;
  EventLogPosition events;
};

enum class EventType {
  kMemGoingOnline,
  kMemOnline,
  kMemCancelOnline,
  kMemGoingOffline,
  kMemOffline,
  kMemCancelOffline,
  kCpuOnline,
  kCpuOffline,
  kFpChange,
  // The node notifier (Linux 6.17+), format 2.
  kNodeAddingFirstMemory,
  kNodeAddedFirstMemory,
  kNodeCancelAddingFirstMemory,
  kNodeRemovingLastMemory,
  kNodeRemovedLastMemory,
  kNodeCancelRemovingLastMemory,
};

// "mem_online" etc. (the token of the events file).
std::string_view event_type_name(EventType type);
std::optional<EventType> parse_event_type(std::string_view token);
// A node notification: a node's first memory coming or its last memory going (nid only).
[[nodiscard]] constexpr bool is_node_event(EventType t) {
  return t >= EventType::kNodeAddingFirstMemory;
}
// A memory or node notification: the memory hotplug operations that rebuild the zonelists.
[[nodiscard]] constexpr bool is_memory_event(EventType t) {
  return t != EventType::kCpuOnline && t != EventType::kCpuOffline && t != EventType::kFpChange;
}

// cpumask_of_node() of every node whose mask is not empty, at the moment of an event.
using CpuMap = std::map<NodeId, std::vector<CpuId>>;

// One `event` line. Which optional fields are set depends on the type (docs/debugfs-format.md).
struct Event {
  std::uint64_t seq = 0;
  std::uint64_t ts_ns = 0;  // ktime_get_boottime_ns()
  EventType type = EventType::kFpChange;
  std::optional<NodeId> nid;              // memory, node and CPU events
  std::optional<std::uint64_t> pfn;       // memory events (not node events)
  std::optional<std::uint64_t> nr_pages;  // memory events (not node events)
  std::optional<CpuId> cpu;               // CPU events
  std::string at;                         // fp_change: where it was noticed ("read")
  std::uint64_t fingerprint = 0;          // right after the event
  std::uint64_t generation = 0;           // right after the event
  CpuMap cpus;
};

// The whole `events` file: its position fields (the same as a snapshot's `events` line), the
// load time and the events.
struct EventLog : EventLogPosition {
  std::uint64_t loaded_ns = 0;
  std::uint64_t cpu_overlap = 0;
  std::vector<Event> events;  // ascending seq
  // The operation in flight when the log was copied (format 4; nullopt: none, or an older format).
  // Its first events are in `events`, its last is not yet.
  std::optional<MemoryOp> in_flight;

  // The event after which the lists have had `generation`: the oldest event in the ring that
  // carries it. nullptr when the generation is 0 or the event left the ring.
  [[nodiscard]] const Event* event_that_set(std::uint64_t generation) const;
};

// Strict parsers. `file` names the file in error messages. Throw InputError (exit code 2);
// parse_snapshot throws ModuleUnsettled for a well-formed snapshot of an unsettled moment (before
// checking the invariants such a moment may break: docs/kmod.md), and otherwise checks them all.
Snapshot parse_snapshot(std::string_view text, const std::string& file);
EventLog parse_event_log(std::string_view text, const std::string& file);
// The events file has no header: its node and CPU ids are checked against the snapshot's
// (nr_node_ids, nr_cpu_ids) once both are read. `file` names the events file.
void check_event_ids(const SnapshotHeader& header, const EventLog& log, const std::string& file);

// "a memory online of node 2 (pfn 0x100000, 32768 pages, from event 17)": for messages.
std::string describe_memory_op(const MemoryOp& op);

// The 64-bit FNV-1a fingerprint of the spec over zonelists (nodes ascending, as given).
std::uint64_t zonelist_fingerprint(const LiveZonelists& lists);
// 16 lowercase hex digits.
std::string format_fingerprint(std::uint64_t fp);

}  // namespace zonelens
