// SPDX-License-Identifier: GPL-2.0-or-later
// JSON renderings shared by the workflow documents (private to zonelens_workflow).
#pragma once

#include <nlohmann/json.hpp>

#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"

namespace zonelens::workflow {

nlohmann::json zonelist_json(const Topology& topo, const Zonelist& list);
nlohmann::json zonelists_json(const Topology& topo, const std::vector<NodeZonelists>& lists);
nlohmann::json topology_json(const Topology& topo);
nlohmann::json event_json(const Event& e);

}  // namespace zonelens::workflow
