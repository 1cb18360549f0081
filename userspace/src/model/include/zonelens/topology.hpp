// SPDX-License-Identifier: GPL-2.0-or-later
// Topology: everything build_zonelists reads, as plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace zonelens {

using NodeId = int;
using CpuId = int;

inline constexpr int kLocalDistance = 10;   // LOCAL_DISTANCE
inline constexpr int kRemoteDistance = 20;  // REMOTE_DISTANCE

// What a kernel can produce (docs/debugfs-format.md, "Invariants"); anything outside is refused.
inline constexpr int kMaxNumnodes = 1024;  // MAX_NUMNODES: 1 << CONFIG_NODES_SHIFT, range 1..10
inline constexpr int kMaxCpus = 8192;      // NR_CPUS: x86_64 NR_CPUS_RANGE_END (MAXSMP)
inline constexpr int kMaxZones = 6;        // MAX_NR_ZONES: DMA DMA32 Normal HighMem Movable Device
inline constexpr int kMaxDistance = 255;   // numa_set_distance keeps a u8; self is always 10
// Pages of a zone or node: 52 physical address bits (x86_64 5-level paging) of 4 KiB pages.
inline constexpr std::uint64_t kMaxPages = std::uint64_t{1} << 40U;

// One zone of one node's pgdat (struct zone).
struct Zone {
  int index = 0;              // zone_idx()
  std::string name;           // zone->name
  std::uint64_t present = 0;  // present_pages
  std::uint64_t managed = 0;  // managed_pages
  std::uint64_t spanned = 0;  // spanned_pages
};

// One node id with its states; a node is listed when it is possible.
struct Node {
  NodeId id = 0;
  bool online = false;         // N_ONLINE
  bool memory = false;         // N_MEMORY
  bool normal_memory = false;  // N_NORMAL_MEMORY
  bool cpu = false;            // N_CPU
  std::vector<CpuId> cpus;     // cpumask_of_node() now (ascending)
  bool has_pgdat = true;       // NODE_DATA(id) != NULL
  std::vector<Zone> zones;     // every zone of the pgdat, ascending index
};

// Distances keyed by node id. Pairs outside the table follow x86 __node_distance:
// 10 for a node to itself, 20 otherwise.
class DistanceTable {
 public:
  DistanceTable() = default;
  explicit DistanceTable(int size) : size_(size), d_(static_cast<std::size_t>(size) * size, -1) {}

  [[nodiscard]] int size() const { return size_; }
  void set(NodeId from, NodeId to, int value) {
    d_[static_cast<std::size_t>(from) * size_ + to] = value;
  }
  // The kernel's node_distance(from, to).
  [[nodiscard]] int at(NodeId from, NodeId to) const {
    if (from >= 0 && to >= 0 && from < size_ && to < size_) {
      const int v = d_[static_cast<std::size_t>(from) * size_ + to];
      if (v >= 0) {
        return v;
      }
    }
    return from == to ? kLocalDistance : kRemoteDistance;
  }
  // Row `from` as stored (-1: not given, at() says the default), empty when `from` is out of
  // the table: for loops over many pairs, which then fall back to at() outside the row.
  [[nodiscard]] std::span<const int> row(NodeId from) const {
    if (from < 0 || from >= size_) {
      return {};
    }
    return {d_.data() + (static_cast<std::size_t>(from) * size_), static_cast<std::size_t>(size_)};
  }
  // True when the pair was given explicitly.
  [[nodiscard]] bool has(NodeId from, NodeId to) const {
    return from >= 0 && to >= 0 && from < size_ && to < size_ &&
           d_[static_cast<std::size_t>(from) * size_ + to] >= 0;
  }

 private:
  int size_ = 0;
  std::vector<int> d_;
};

struct Topology {
  std::string kernel_release;           // e.g. "6.12.117+deb12-amd64"
  std::string arch;                     // the machine name the source gives ("ppc64le"), or ""
  int nr_node_ids = 0;                  // nr_node_ids
  int max_numnodes = 1024;              // MAX_NUMNODES (1 << CONFIG_NODES_SHIFT)
  std::vector<std::string> zone_names;  // zone names by index (MAX_NR_ZONES of them)
  std::vector<Node> nodes;              // every possible node, ascending id
  DistanceTable distance;

  [[nodiscard]] const Node* find(NodeId id) const {
    for (const auto& n : nodes) {
      if (n.id == id) {
        return &n;
      }
    }
    return nullptr;
  }
};

}  // namespace zonelens
