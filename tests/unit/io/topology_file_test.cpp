// SPDX-License-Identifier: GPL-2.0-or-later
// What-if topology files (docs/topology-file.md).
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "zonelens/sources.hpp"

namespace zonelens {
namespace {

using test::error_of;
using test::fixture;

TEST(TopologyFile, TheDocumentedExample) {
  const Observation o = observe_topology_file(fixture("topologies/cxl-what-if.json"));
  EXPECT_EQ(o.kind, SourceKind::kTopologyFile);
  const Topology& t = o.topology;
  EXPECT_EQ(t.kernel_release, "6.12.0");
  EXPECT_EQ(t.nr_node_ids, 3);
  ASSERT_EQ(t.nodes.size(), 3U);
  const Node& n0 = t.nodes[0];
  EXPECT_EQ(n0.cpus, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(n0.online && n0.memory && n0.normal_memory && n0.cpu && n0.has_pgdat);
  ASSERT_EQ(n0.zones.size(), 5U);  // every zone of the pgdat, missing ones empty
  EXPECT_EQ(n0.zones[0].present, 3998U);
  EXPECT_EQ(n0.zones[1].managed, 500000U);
  EXPECT_EQ(n0.zones[1].spanned, 520000U);  // spanned defaults to present
  EXPECT_EQ(n0.zones[2].present, 4096U * 256);
  EXPECT_EQ(n0.zones[3].present, 0U);
  const Node& cxl = t.nodes[2];
  EXPECT_TRUE(cxl.cpus.empty());
  EXPECT_FALSE(cxl.cpu);
  EXPECT_TRUE(cxl.memory);
  EXPECT_EQ(cxl.zones[2].present, 8192U * 256);  // memory_mb -> a Normal zone
  EXPECT_EQ(t.distance.at(0, 2), 30);
  EXPECT_EQ(t.distance.at(2, 0), 30);  // one direction given: symmetric
  EXPECT_EQ(t.distance.at(1, 2), 30);
  EXPECT_EQ(t.distance.at(0, 1), 21);
  EXPECT_EQ(t.distance.at(1, 0), 21);
  EXPECT_EQ(t.distance.at(2, 2), 10);  // not given: LOCAL_DISTANCE
}

// "arch" names the architecture, and without zone_names brings its kernels' zones: pseries has no
// DMA or DMA32, so memory_mb lands in Normal, zone index 0.
TEST(TopologyFile, ArchAndItsZones) {
  const Topology t = parse_topology_json(
      R"({"kernel_release": "6.1.0", "arch": "ppc64el", "nodes": [{"id": 0, "memory_mb": 1}]})",
      "t.json");
  EXPECT_EQ(t.arch, "ppc64el");
  EXPECT_EQ(t.zone_names, (std::vector<std::string>{"Normal", "Movable", "Device"}));
  EXPECT_EQ(t.nodes[0].zones[0].name, "Normal");
  EXPECT_EQ(t.nodes[0].zones[0].present, 256U);
  EXPECT_EQ(parse_topology_json(
                R"({"kernel_release": "6.1.0", "nodes": [{"id": 0, "memory_mb": 1}]})", "t.json")
                .arch,
            "");
  EXPECT_EQ(error_of([] {
              parse_topology_json(R"({"kernel_release": "6.1.0", "arch": "riscv64", "nodes": []})",
                                  "t.json");
            }),
            "t.json: arch: must be x86_64, aarch64 or ppc64le (or amd64, arm64, ppc64el, ppc64): "
            "fix the topology file (docs/topology-file.md)");
}

TEST(TopologyFile, AsymmetricPairsStayAsGiven) {
  const Topology t = parse_topology_json(
      R"({"kernel_release": "6.1.0", "nodes": [{"id": 0, "memory_mb": 1}, {"id": 1, "memory_mb": 1}],
          "distance": {"0": {"1": 12}, "1": {"0": 14}}})",
      "t.json");
  EXPECT_EQ(t.distance.at(0, 1), 12);
  EXPECT_EQ(t.distance.at(1, 0), 14);
}

TEST(TopologyFile, StatesCanBeOverridden) {
  const Topology t = parse_topology_json(
      R"({"kernel_release": "6.1.0", "nodes": [{"id": 0, "memory_mb": 1, "cpus": "0-1"},
          {"id": 5, "online": false, "has_pgdat": false}]})",
      "t.json");
  EXPECT_EQ(t.nr_node_ids, 6);
  ASSERT_EQ(t.nodes.size(), 2U);
  EXPECT_FALSE(t.nodes[1].online);
  EXPECT_FALSE(t.nodes[1].has_pgdat);
  EXPECT_TRUE(t.nodes[1].zones.empty());
}

TEST(TopologyFileErrors, OneSentenceWithTheFix) {
  const std::string tail = ": fix the topology file (docs/topology-file.md)";
  EXPECT_EQ(error_of([] { parse_topology_json(R"({"nodes": []})", "t.json"); }),
            "t.json: kernel_release: is required, a string like \"6.12.0\"" + tail);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"kernel_release": "6.1", "nodes": [{"id": 0, "memroy_mb": 1}]})",
       "t.json: nodes[0]: unknown key 'memroy_mb'"},
      {R"({"kernel_release": "6.1", "nodes": [{"id": -1}]})",
       "t.json: nodes[0].id: must be a node id (an integer from 0 to 1023)"},
      {R"({"kernel_release": "6.1", "nodes": [{"id": 0}, {"id": 0}]})",
       "t.json: nodes[1]: node 0 appears twice"},
      {R"({"kernel_release": "6.1", "nodes": [{"id": 0, "cpus": "3-1"}]})",
       "t.json: nodes[0].cpus: '3-1' is not a list like \"0-3,8\" of ids below 8192"},
      {R"({"kernel_release": "6.1", "nodes": [{"id": 0, "zones": [{"name": "HighMem", "present": 1}]}]})",
       "t.json: nodes[0].zones[0]: unknown zone 'HighMem' (zone_names lists the known ones)"},
      {R"({"kernel_release": "6.1", "nodes": [{"id": 0}], "distance": {"0": {"1": 20}}})",
       "t.json: distance.0: node 1 is not in 'nodes'"},
      {R"({"kernel_release": "6.1", "nodes": [{"id": 0}], "distance": {"0": {"0": 5}}})",
       "t.json: distance.0.0: must be an integer from 10 to 255"},
      {R"({"kernel_release": "6.1", "nodes": [{"id": 0}], "distance": {"x": {}}})",
       "t.json: distance: key 'x' is not a node id"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(error_of([&] { parse_topology_json(c.first, "t.json"); }), c.second + tail)
        << c.first;
  }
}

TEST(TopologyFileErrors, BadJson) {
  const auto msg = error_of([] { parse_topology_json("{\"kernel_release\": ", "t.json"); });
  EXPECT_EQ(msg.rfind("t.json: not valid JSON (", 0), 0U) << msg;
  EXPECT_NE(msg.find("fix the topology file"), std::string::npos);
}

TEST(TopologyFileErrors, MissingFile) {
  EXPECT_EQ(error_of([] { observe_topology_file("/nonexistent.json"); }),
            "/nonexistent.json not found: pass an existing topology file "
            "(docs/topology-file.md)");
}

}  // namespace
}  // namespace zonelens
