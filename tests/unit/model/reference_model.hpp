// SPDX-License-Identifier: GPL-2.0-or-later
// The reference: a literal, deliberately slow transcription of the kernel's loop
// (__build_all_zonelists -> build_zonelists -> find_next_best_node -> build_zonerefs_node),
// one rescan of every candidate per pick, O(N^3) per rebuild. It shares no code with the model
// beyond the data types, so the randomized test checks the fast model against it.
#pragma once

#include "zonelens/model.hpp"

namespace zonelens::reference {

Prediction reference_predict(const Topology& topo, const EraRules& rules,
                             const RebuildContext& ctx);

}  // namespace zonelens::reference
