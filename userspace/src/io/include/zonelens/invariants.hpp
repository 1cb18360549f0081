// SPDX-License-Identifier: GPL-2.0-or-later
// What no kernel can produce, refused for every source (module snapshot, sysfs, topology file).
#pragma once

#include <string>
#include <string_view>

#include "zonelens/topology.hpp"

namespace zonelens {

// The invariants every kernel keeps (docs/debugfs-format.md, "Invariants"), for every source:
// max_numnodes a power of two up to 1024, nr_node_ids = highest possible id + 1 <= max_numnodes,
// at least one online node and one with memory, N_MEMORY and N_CPU within N_ONLINE, N_NORMAL_MEMORY
// within N_MEMORY, a pgdat on every online node, populated zones exactly on the N_MEMORY nodes,
// managed <= present <= spanned <= kMaxPages, CPU ids below kMaxCpus, distance 10 to itself and
// 10..255 to others. InputError "FILE: what: FIX" otherwise.
void check_topology(const Topology& topo, const std::string& file, std::string_view fix);

}  // namespace zonelens
