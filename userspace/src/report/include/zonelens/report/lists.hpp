// SPDX-License-Identifier: GPL-2.0-or-later
// Zonelists and id lists as text and JSON: the one place a zoneref or an id list is spelled.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/report/json.hpp"
#include "zonelens/report/sink.hpp"

namespace zonelens::report {

// "N:Zone" without allocating a string per zoneref.
void append_zoneref(std::string& out, const Topology& topo, const ZoneRef& ref);
// One side of a list difference as text: "N:Zone", or past the end of the list "(end)".
std::string side_text(const Topology& topo, const std::optional<ZoneRef>& ref);
// The same as JSON: "N:Zone" or null.
void side_json(JsonWriter& w, const Topology& topo, const std::optional<ZoneRef>& ref);
// A zonelist as text: the zonerefs joined by " ", "-" when empty.
std::string zonelist_text(const Topology& topo, const Zonelist& list);
// A zonelist as an inline JSON array of "N:Zone".
void zonelist_json(JsonWriter& w, const Topology& topo, const Zonelist& list);
// Node ids joined by `sep`, `none` when there are none ("0,1" / "none", "0 1 2" / "-").
std::string ids_text(const std::vector<NodeId>& ids, std::string_view sep, std::string_view none);

// Nodes one at a time: each call gives the next node (valid until the following call), nullptr
// after the last.
using NodeFeed = std::function<const NodeZonelists*()>;
// Every node of `lists`, as a feed (valid while `lists` is).
NodeFeed feed_of(const std::vector<NodeZonelists>& lists);

// The "nodes" array of show/predict --json: one inline object per node.
void nodes_json(JsonWriter& w, const Topology& topo, const std::vector<NodeZonelists>& lists);
// Without `with_zones` (a capture without /proc/zoneinfo) fallback and nofallback are null: only
// the node order is known.
void nodes_json(JsonWriter& w, const Topology& topo, const NodeFeed& feed, bool with_zones = true);
// The readable table of show/predict; without `with_zones`, the order lines only.
void nodes_text(Sink& sink, const Topology& topo, const std::vector<NodeZonelists>& lists,
                bool with_order);
void nodes_text(Sink& sink, const Topology& topo, const NodeFeed& feed, bool with_order,
                bool with_zones = true);

}  // namespace zonelens::report
