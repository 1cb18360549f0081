// SPDX-License-Identifier: GPL-2.0-or-later
// Events and snapshot differences (zonelens/workflow/diff.hpp) in words: the one place they are
// spelled, for diff and watch.
#pragma once

#include <string>
#include <string_view>

#include "zonelens/snapshot.hpp"
#include "zonelens/workflow/diff.hpp"

namespace zonelens::report {

// "reordered", "grew", "grew and reordered", ... (also diff --json's "kind" values).
std::string_view change_kind_name(workflow::ChangeKind kind);
// "memory online on node 3", "CPU 5 offline on node 1", "a change noticed at read".
std::string describe_event(const Event& e);
// "0,1" of the nodes with CPUs in an event's cpumasks; "none" when empty.
std::string nodes_with_cpus_text(const CpuMap& cpus);
// One sentence for diff's result: "rebuild after memory online on node 3 (seq 2) saw CPUs on
// nodes 0,1; lists of nodes 0, 1, 2 and 3 grew as predicted".
std::string diff_summary(const workflow::DiffReport& r);

}  // namespace zonelens::report
