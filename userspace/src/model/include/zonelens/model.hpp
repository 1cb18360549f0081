// SPDX-License-Identifier: GPL-2.0-or-later
// The era-aware model of __build_all_zonelists / build_zonelists / find_next_best_node.
// Pure functions of data: no I/O here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/topology.hpp"

namespace zonelens {

// Mainline eras of the fallback-order rule (docs/kernel-eras.md).
enum class KernelEra {
  kPre414,  // <= 4.13: node_load[n] = load, online nodes, node or zone order (ZonelistOrder)
  k414,     // 4.14 - 5.15: node_load[n] = load, multiplier nr_online_nodes*MAX_NUMNODES
  k516,     // 5.16 - 5.17: node_load[n] += load
  k518,     // 5.18: += load, every possible node is built
  k519,     // 5.19 - 6.6: += 1, multiplier MAX_NUMNODES
  k607,     // 6.7+: memoryless local node skipped; offline clears N_MEMORY before the rebuild
};

enum class ZonePredicate { kPopulated, kManaged };  // populated_zone() / managed_zone()

// How ZONELIST_FALLBACK is laid out from the node order (current_zonelist_order, <= 4.13).
enum class ZonelistOrder {
  kNode,  // ZONELIST_ORDER_NODE: each node's zones, highest zone first (the only order from 4.14)
  kZone,  // ZONELIST_ORDER_ZONE: each zone type from the highest down, the nodes in node order
};

struct EraRules {
  KernelEra era = KernelEra::k607;
  ZonePredicate zone_predicate = ZonePredicate::kPopulated;
  ZonelistOrder zonelist_order = ZonelistOrder::kNode;  // kZone only for <= 4.13
};

struct KernelVersion {
  int major = 0, minor = 0, patch = 0;
};

// The first release of the newest era modelled: assumed for a source without a release.
inline constexpr KernelVersion kNewestEraRelease{6, 7, 0};

// "6.12.117+deb12-amd64" -> {6,12,117}; nullopt when it does not start with N.N.
std::optional<KernelVersion> parse_kernel_release(std::string_view release);
// The rules a kernel release follows, stable backports of the zone predicate included.
EraRules rules_for(const KernelVersion& v);
std::string_view era_name(KernelEra era);

// The state the kernel saw when it last rebuilt.
enum class RebuildKind {
  kBoot,     // x86 boot build: no node has CPUs in cpumask_of_node yet
  kRuntime,  // a runtime rebuild: the CPU masks as given in nodes_with_cpus
};

struct RebuildContext {
  RebuildKind kind = RebuildKind::kBoot;
  // For kRuntime: nodes whose cpumask_of_node() was non-empty at the rebuild (indexed by node id).
  // Empty means "take the topology's current masks".
  std::vector<bool> nodes_with_cpus;
  // Hot-added node: build_all_zonelists(pgdat) of an offline node builds only that node, node_load
  // zeroed first.
  std::optional<NodeId> self_only;
  // Before 6.7, offline_pages rebuilds before clearing N_MEMORY: this node is still a candidate.
  std::optional<NodeId> still_in_memory;
};

struct ZoneRef {
  NodeId node = 0;
  int zone_index = 0;
  friend bool operator==(const ZoneRef&, const ZoneRef&) = default;
};
using Zonelist = std::vector<ZoneRef>;

struct NodeZonelists {
  NodeId node = 0;
  std::vector<NodeId> node_order;  // what "Fallback order for Node N:" prints
  Zonelist fallback;               // ZONELIST_FALLBACK
  Zonelist nofallback;             // ZONELIST_NOFALLBACK
};

struct Prediction {
  EraRules rules;
  std::vector<NodeZonelists> nodes;  // every node the era builds, ascending id
};

// The zonelists the kernel of `rules` builds for `topo` in a rebuild seen as `ctx`.
Prediction predict(const Topology& topo, const EraRules& rules, const RebuildContext& ctx);

// predict() one node at a time, in the kernel's call order (for rendering a node while the next
// is computed, without holding every list): collecting the nodes and sorting them by id (stable)
// gives predict(). Pure like predict(); `topo` must outlive the stream.
class PredictionStream {
 public:
  PredictionStream(const Topology& topo, const EraRules& rules, const RebuildContext& ctx);
  PredictionStream(const PredictionStream&) = delete;
  PredictionStream& operator=(const PredictionStream&) = delete;
  PredictionStream(PredictionStream&& other) noexcept;
  PredictionStream& operator=(PredictionStream&& other) noexcept;
  ~PredictionStream();

  // The next node's lists into `nz` (its vectors' capacity is reused); false when every node
  // the era builds is built.
  bool next(NodeZonelists& nz);
  // The same in two steps: next_order() builds the node and its node order (the kernel's state
  // moves on), zonelists_of() then fills its fallback and nofallback lists from that order. The
  // second only reads what the constructor set up: another thread may run it on node i while
  // next_order() builds node i + 1.
  bool next_order(NodeZonelists& nz);
  void zonelists_of(NodeZonelists& nz) const;
  // True when the nodes come in ascending id order, as predict() lists them (every era but a
  // <= 4.13 self-only build, which builds the hot-added node first).
  [[nodiscard]] bool in_id_order() const;
  [[nodiscard]] std::size_t size() const;  // how many nodes next() gives in all

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// "N:ZoneName", the token the kernel's mminit::zonelist print and the debugfs files use.
std::string zoneref_name(const Topology& topo, const ZoneRef& ref);

// --- Additions (model owner) ---------------------------------------------------------------

// The era a release belongs to (mainline boundaries; no stable series changed the era rule).
KernelEra era_for(const KernelVersion& v);
// The zone predicate of a release, stable backports of e553f62f10d9 included.
ZonePredicate zone_predicate_for(const KernelVersion& v);
// era_name() inverse ("6.7+", "5.19-6.6", ...; also accepts "k607"-style enumerator names).
std::optional<KernelEra> parse_era_name(std::string_view name);
std::string_view zone_predicate_name(ZonePredicate p);  // "populated" / "managed"
// rules_for(parse_kernel_release(release)); nullopt when the release does not parse.
std::optional<EraRules> rules_for_release(std::string_view release);

// Facts of one era, as the kernel code of that era reads.
[[nodiscard]] bool era_builds_possible_nodes(KernelEra era);   // 5.18+: for_each_node
[[nodiscard]] bool era_skips_memoryless_local(KernelEra era);  // 6.7+
[[nodiscard]] bool era_uses_load_counter(KernelEra era);  // <= 5.18: `load` from nr_online_nodes

// The inputs of find_next_best_node that are fixed during one rebuild.
struct RebuildFacts {
  int nr_online_nodes = 0;         // num_node_state(N_ONLINE) at the rebuild
  std::uint32_t multiplier = 0;    // the `val *=` factor, as the kernel's 32-bit arithmetic
  std::vector<NodeId> built;       // nodes build_zonelists() runs for, in call order
  std::vector<NodeId> candidates;  // N_MEMORY at the rebuild, ascending
  std::vector<bool> has_cpus;      // cpumask_of_node() non-empty, indexed by node id
  std::vector<bool> in_memory;     // N_MEMORY at the rebuild, indexed by node id
};
RebuildFacts rebuild_facts(const Topology& topo, const EraRules& rules, const RebuildContext& ctx);

// The kernel's `val` for candidate n when building `local` with node_load[n] == load: 32-bit
// two's-complement arithmetic that wraps (the kernel builds with -fno-strict-overflow).
std::int32_t kernel_score(int distance, bool below_local, bool has_cpus, std::uint32_t multiplier,
                          int node_load);

// The zones of `node` that build_zonerefs_node() adds, highest zone index first.
Zonelist zonerefs_of(const Topology& topo, NodeId node, ZonePredicate pred);

// ZONELIST_FALLBACK from a node order: node order concatenates each node's zonerefs;
// zone order (build_zonelists_in_zone_order, <= 4.13) takes, for each zone index from the highest
// down, the zone of that index of every node in `node_order`. `zones_by_node[n]` is
// zonerefs_of(n) (highest index first), indexed by node id.
Zonelist fallback_list(ZonelistOrder order, const std::vector<Zonelist>& zones_by_node,
                       const std::vector<NodeId>& node_order);

}  // namespace zonelens
