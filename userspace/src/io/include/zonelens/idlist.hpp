// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel's cpulist/nodelist syntax ("0-3,8,10-11"), for data that does not describe the
// running machine (captured roots, module files, topology files).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zonelens {

// "0-3,8" -> {0,1,2,3,8}, ascending and unique. "" and "-" (the debugfs empty list) are the empty
// list. A trailing newline is accepted. nullopt when the text is not a list: bad numbers, a range
// going down, an id >= `limit` (nr_node_ids, nr_cpu_ids or their kernel bounds kMaxNumnodes,
// kMaxCpus), empty elements. The ids are checked before a range is expanded: at most `limit` ids.
//
// This is deliberately not libnuma's numa_parse_nodestring_all/numa_parse_cpustring_all: those
// refuse ids the *running* machine does not have (a captured 1024-node root on a 1-node host).
// Every source uses this function: the live machine, captured roots, module files, topology files.
std::optional<std::vector<int>> parse_id_list(std::string_view text, int limit);

// {0,1,2,3,8} -> "0-3,8"; the empty list is "-" (debugfs style).
std::string format_id_list(const std::vector<int>& ids);

}  // namespace zonelens
