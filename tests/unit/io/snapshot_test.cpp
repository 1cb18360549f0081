// SPDX-License-Identifier: GPL-2.0-or-later
// The strict parser of the debugfs snapshot (docs/debugfs-format.md).
#include "zonelens/snapshot.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace zonelens {
namespace {

using test::error_of;
using test::fixture;
using test::replace;
using test::slurp;

const std::string kFile = "/sys/kernel/debug/zonelens/snapshot";

std::string good() {
  return slurp(fixture("roots/four-node-runtime/sys/kernel/debug/zonelens/snapshot"));
}

TEST(Snapshot, ParsesHeaderAndConsistency) {
  const Snapshot s = parse_snapshot(good(), kFile);
  EXPECT_EQ(s.header.format_version, 1);
  EXPECT_EQ(s.header.module_version, "0.1.0");
  EXPECT_EQ(s.header.kernel_release, "6.12.0-zonelens-fixture");
  EXPECT_EQ(s.header.nr_node_ids, 4);
  EXPECT_EQ(s.header.max_numnodes, 1024);
  EXPECT_EQ(s.header.max_nr_zones, 5);
  EXPECT_EQ(s.header.nr_cpu_ids, 6);
  EXPECT_EQ(s.header.zone_names,
            (std::vector<std::string>{"DMA", "DMA32", "Normal", "Movable", "Device"}));
  EXPECT_EQ(s.passes, 2);
  EXPECT_EQ(s.generation, 1U);
  EXPECT_EQ(format_fingerprint(s.fingerprint), "15199a465a97feb7");
  EXPECT_EQ(s.events.first_seq, 1U);
  EXPECT_EQ(s.events.last_seq, 3U);
  EXPECT_EQ(s.events.capacity, 256U);
}

TEST(Snapshot, BuildsTheTopology) {
  const Topology t = parse_snapshot(good(), kFile).topology;
  EXPECT_EQ(t.kernel_release, "6.12.0-zonelens-fixture");
  EXPECT_EQ(t.nr_node_ids, 4);
  ASSERT_EQ(t.nodes.size(), 4U);
  const Node& n0 = t.nodes[0];
  EXPECT_TRUE(n0.online && n0.memory && n0.normal_memory && n0.cpu && n0.has_pgdat);
  EXPECT_EQ(n0.cpus, (std::vector<int>{0, 1}));
  ASSERT_EQ(n0.zones.size(), 5U);
  EXPECT_EQ(n0.zones[1].name, "DMA32");
  EXPECT_EQ(n0.zones[1].index, 1);
  EXPECT_EQ(n0.zones[1].present, 520000U);
  const Node& n2 = t.nodes[2];
  EXPECT_TRUE(n2.memory);
  EXPECT_FALSE(n2.cpu);
  EXPECT_TRUE(n2.cpus.empty());
  const Node& n3 = t.nodes[3];
  EXPECT_FALSE(n3.memory);
  EXPECT_TRUE(n3.cpu);
  EXPECT_EQ(t.distance.at(0, 2), 30);
  EXPECT_EQ(t.distance.at(3, 2), 20);
  EXPECT_TRUE(t.distance.has(2, 3));
}

TEST(Snapshot, ParsesZonelists) {
  const Snapshot s = parse_snapshot(good(), kFile);
  ASSERT_EQ(s.zonelists.size(), 4U);
  const auto& n3 = s.zonelists[3];
  EXPECT_EQ(n3.node, 3);
  EXPECT_EQ(n3.fallback, (Zonelist{{2, 2}, {1, 2}, {0, 2}, {0, 1}, {0, 0}}));
  EXPECT_TRUE(n3.nofallback.empty());
  EXPECT_EQ(s.zonelists[0].nofallback, (Zonelist{{0, 2}, {0, 1}, {0, 0}}));
  EXPECT_EQ(zonelist_fingerprint(s.zonelists), s.fingerprint);
}

TEST(Snapshot, FingerprintOfNothingIsTheOffsetBasis) {
  EXPECT_EQ(format_fingerprint(zonelist_fingerprint({})), "cbf29ce484222325");
}

TEST(Snapshot, AcceptsMissingFinalNewline) {
  std::string t = good();
  t.pop_back();
  EXPECT_NO_THROW(parse_snapshot(t, kFile));
}

TEST(SnapshotErrors, UnknownVersion) {
  const auto msg = error_of(
      [] { parse_snapshot(replace(good(), "zonelens-format 1", "zonelens-format 6"), kFile); });
  EXPECT_EQ(msg, kFile +
                     ": unknown format 'zonelens-format 6', this zonelens reads formats 1 to 5: "
                     "use a matching zonelens");
}

TEST(SnapshotErrors, NotAZonelensFile) {
  const auto msg = error_of([] { parse_snapshot("hello\nend\n", kFile); });
  EXPECT_NE(msg.find("unknown format 'hello'"), std::string::npos) << msg;
}

TEST(SnapshotErrors, Truncated) {
  const std::string t = good();
  const std::string cut = t.substr(0, t.find("zonelist 2"));
  EXPECT_EQ(error_of([&] { parse_snapshot(cut, kFile); }),
            kFile + ": truncated (no 'end' line): read it again");
  EXPECT_EQ(error_of([&] { parse_snapshot("", kFile); }),
            kFile + ": truncated (no 'end' line): read it again");
}

TEST(SnapshotErrors, Unstable) {
  EXPECT_EQ(error_of([] { parse_snapshot(replace(good(), "stable 1", "stable 0"), kFile); }),
            kFile + ": unstable, zonelists changed during every read pass: read it again");
  try {
    parse_snapshot(replace(good(), "stable 1", "stable 0"), kFile);
    ADD_FAILURE() << "no throw";
  } catch (const ModuleUnsettled& e) {
    EXPECT_FALSE(e.stable());
    EXPECT_FALSE(e.op());
  }
}

TEST(SnapshotErrors, UnknownKeyword) {
  const auto msg = error_of(
      [] { parse_snapshot(replace(good(), "passes 2\n", "passes 2\nhugepages 4\n"), kFile); });
  EXPECT_EQ(msg, kFile +
                     ": line 11: unknown keyword 'hugepages' in format 1: use a matching "
                     "zonelens");
}

TEST(SnapshotErrors, FingerprintMismatch) {
  const auto msg = error_of([] {
    parse_snapshot(replace(good(), "zonelist 1 nofallback 1:Normal", "zonelist 1 nofallback -"),
                   kFile);
  });
  EXPECT_NE(msg.find("fingerprint 15199a465a97feb7 does not match the zonelist lines"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.rfind(kFile, 0), 0U) << msg;
}

TEST(SnapshotErrors, BadNumbers) {
  for (const auto& edit : std::vector<std::pair<std::string, std::string>>{
           {"distance 0 1 20", "distance 0 1 2x"},
           {"zone 0 1 DMA32 present 520000", "zone 0 1 DMA32 present -5"},
           {"generation 1", "generation one"},
           {"nr_node_ids 4", "nr_node_ids 0"},
           {"fingerprint 15199a465a97feb7", "fingerprint 15199a465a97feb"},
           {"fingerprint 15199a465a97feb7", "fingerprint 15199a465a97fegz"},
           {"cpumask 1 2-3", "cpumask 1 3-2"},
           {"zonelist 1 nofallback 1:Normal", "zonelist 1 nofallback x:Normal"},
       }) {
    const auto msg =
        error_of([&] { parse_snapshot(replace(good(), edit.first, edit.second), kFile); });
    EXPECT_NE(msg.find("is malformed"), std::string::npos) << edit.second << ": " << msg;
    EXPECT_NE(msg.find("read it again"), std::string::npos) << msg;
  }
}

TEST(SnapshotErrors, StructuralProblems) {
  // unknown zone name, zone index/name disagreement, node not possible, missing section,
  // extra argument, double space, end in the middle
  for (const auto& edit : std::vector<std::pair<std::string, std::string>>{
           {"zonelist 1 nofallback 1:Normal", "zonelist 1 nofallback 1:HighMem"},
           {"zone 1 2 Normal", "zone 1 2 DMA32"},
           {"distance 3 3 10", "distance 3 7 10"},
           {"node_states cpu 0-1,3\n", ""},
           {"generation 1", "generation 1 2"},
           {"passes 2", "passes  2"},
           {"passes 2\n", "passes 2\nend\n"},
           {"zonelist 0 fallback", "zonelist 0 sideways"},
       }) {
    const auto msg =
        error_of([&] { parse_snapshot(replace(good(), edit.first, edit.second), kFile); });
    EXPECT_EQ(msg.rfind(kFile + ": ", 0), 0U) << edit.second << ": " << msg;
  }
}

// Format 3: the same snapshot with one distance row per possible node.
std::string rows() { return slurp(fixture("snapshots/four-node-runtime.format3")); }

TEST(SnapshotFormat3, ReadsTheSameSnapshotAsFormat1) {
  const Snapshot v1 = parse_snapshot(good(), kFile);
  const Snapshot v3 = parse_snapshot(rows(), kFile);
  EXPECT_EQ(v3.header.format_version, 3);
  EXPECT_EQ(v3.fingerprint, v1.fingerprint);
  ASSERT_EQ(v3.topology.distance.size(), 4);
  for (int a = 0; a < 4; ++a) {
    for (int b = 0; b < 4; ++b) {
      EXPECT_TRUE(v3.topology.distance.has(a, b)) << a << " " << b;
      EXPECT_EQ(v3.topology.distance.at(a, b), v1.topology.distance.at(a, b)) << a << " " << b;
    }
  }
  EXPECT_EQ(v3.zonelists.size(), v1.zonelists.size());
}

TEST(SnapshotFormat3, RowsAreFromMajor) {
  // row 2, column 0 is node_distance(2, 0); the table is not assumed symmetric
  const Topology t =
      parse_snapshot(replace(rows(), "distance 2 30 30 10 20", "distance 2 40 30 10 20"), kFile)
          .topology;
  EXPECT_EQ(t.distance.at(2, 0), 40);
  EXPECT_EQ(t.distance.at(0, 2), 30);
}

TEST(SnapshotFormat3, RefusesMalformedRows) {
  for (const auto& test_case :
       std::vector<std::pair<std::pair<std::string, std::string>, std::string>>{
           {{"distance 1 20 10 30 20", "distance 1 20 10 30"}, "has 3 values, not 4"},
           {{"distance 1 20 10 30 20", "distance 1 20 10 30 20 20"}, "has 5 values, not 4"},
           {{"distance 1 20 10 30 20", "distance 1 20 1x 30 20"}, "bad number '1x'"},
           {{"distance 1 20 10 30 20", "distance 1 20 10 -30 20"}, "bad number '-30'"},
           {{"distance 1 20 10 30 20", "distance 1 20 10 256 20"}, "distance 256 is outside"},
           {{"distance 1 20 10 30 20", "distance 1 20 10  20"}, "bad number ''"},
           {{"distance 1 20 10 30 20", "distance 1"}, "expected a node and its distance"},
           {{"distance 1 20 10 30 20", "distance one 20 10 30 20"}, "bad number 'one'"},
           {{"distance 3 20 20 20 10\n", ""}, "the distance table has 3 rows, not 4"},
           {{"distance 1 20 10 30 20\n", ""}, "(the distance row of node 2) breaks the distance"},
           {{"distance 1 20 10 30 20", "distance 1 20 12 30 20"}, "a distance to itself of 12"},
           {{"distance 3 20 20 20 10", "distance 2 20 20 20 10"}, "breaks the distance table"},
           {{"distance 3 20 20 20 10\n", "distance 3 20 20 20 10\ndistance 3 20 20 20 10\n"},
            "breaks the distance table"},
           // a format-1 triple in a format-3 file
           {{"distance 0 10 20 30 20", "distance 0 0 10"}, "distance 0 is outside 10..255"},
       }) {
    const auto& [edit, why] = test_case;
    const auto msg = error_of([&] {
      parse_snapshot(replace(rows(), test_case.first.first, test_case.first.second), kFile);
    });
    EXPECT_EQ(msg.rfind(kFile + ": ", 0), 0U) << edit.second << ": " << msg;
    EXPECT_NE(msg.find(why), std::string::npos) << edit.second << ": " << msg;
    EXPECT_NE(msg.find("read it again"), std::string::npos) << msg;
  }
}

TEST(SnapshotFormat3, RefusesARowInAFormat1Or2File) {
  for (const std::string version : {"1", "2"}) {
    const std::string t =
        replace(replace(rows(), "zonelens-format 3", "zonelens-format " + version),
                "distance 0 10 20 30 20", "distance 0 0 10\ndistance 0 1 20");
    const auto msg = error_of([&] { parse_snapshot(t, kFile); });
    EXPECT_NE(msg.find("'distance 1 20 10 30 20' is malformed (expected 3 arguments, FROM TO VALUE "
                       "(distance rows are format 3))"),
              std::string::npos)
        << version << ": " << msg;
  }
}

// Format 4: format 3 with the `inflight` line after `passes`.
std::string format4(const std::string& inflight = "inflight none",
                    const std::string& stable = "1") {
  return replace(replace(replace(rows(), "zonelens-format 3", "zonelens-format 4"), "passes 2\n",
                         "passes 2\n" + inflight + "\n"),
                 "stable 1", "stable " + stable);
}

// What the 5.10 guest's module rendered in CI while online_pages() of a second block of node 0's
// Movable zone was freeing its pages (managed raised, present not yet: mm/memory_hotplug.c).
constexpr std::string_view kMovableZone = "zone 0 3 Movable present 0 managed 0 spanned 0";
constexpr std::string_view kMovableOnlining =
    "zone 0 3 Movable present 32768 managed 39936 spanned 98304";
constexpr std::string_view kOnline = "inflight online nid 0 pfn 0x118000 nr 32768 seq 3";

TEST(SnapshotFormat4, ReadsTheSameSnapshotAsFormat3) {
  const Snapshot v3 = parse_snapshot(rows(), kFile);
  const Snapshot v4 = parse_snapshot(format4(), kFile);
  EXPECT_EQ(v4.header.format_version, 4);
  EXPECT_EQ(v4.fingerprint, v3.fingerprint);
  EXPECT_EQ(v4.zonelists.size(), v3.zonelists.size());
}

TEST(SnapshotFormat4, AnOperationInFlightIsUnsettledNotMalformed) {
  const std::string t = replace(format4(std::string(kOnline), "0"), std::string(kMovableZone),
                                std::string(kMovableOnlining));
  try {
    parse_snapshot(t, kFile);
    ADD_FAILURE() << "no throw";
  } catch (const ModuleUnsettled& e) {
    EXPECT_EQ(std::string(e.what()),
              kFile +
                  ": read while a memory online of node 0 (pfn 0x118000, 32768 pages, from event "
                  "3) was in progress: read it again when it has ended");
    ASSERT_TRUE(e.op());
    EXPECT_TRUE(e.op()->online);
    EXPECT_EQ(e.op()->nid, 0);
    EXPECT_EQ(e.op()->pfn, 0x118000U);
    EXPECT_EQ(e.op()->nr_pages, 32768U);
    EXPECT_EQ(e.op()->seq, 3U);
  }
}

TEST(SnapshotFormat4, TheSameCountersOutsideAnOperationAreMalformed) {
  const auto msg = error_of([] {
    parse_snapshot(replace(format4(), std::string(kMovableZone), std::string(kMovableOnlining)),
                   kFile);
  });
  EXPECT_NE(msg.find("node 0 zone Movable does not have managed <= present <= spanned"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("report a module bug"), std::string::npos) << msg;
}

TEST(SnapshotFormat4, ANodeNotificationStartsAnOperationWithoutARange) {
  try {
    parse_snapshot(format4("inflight offline nid 2 pfn - nr - seq 7", "0"), kFile);
    ADD_FAILURE() << "no throw";
  } catch (const ModuleUnsettled& e) {
    EXPECT_NE(std::string(e.what()).find("a memory offline of node 2 (from event 7)"),
              std::string::npos)
        << e.what();
    ASSERT_TRUE(e.op());
    EXPECT_FALSE(e.op()->online);
    EXPECT_FALSE(e.op()->pfn);
  }
}

TEST(SnapshotFormat4, RefusesMalformedInflightLines) {
  for (const auto& test_case : std::vector<std::pair<std::string, std::string>>{
           {"inflight sideways nid 0 pfn 0x1 nr 1 seq 1", "expected none, online or offline"},
           {"inflight online nid 0 pfn 0x1 nr - seq 1", "pfn and nr are both given or both '-'"},
           {"inflight online nid 0 pfn 1 nr 1 seq 1", "pfn is 0xHEX or '-'"},
           {"inflight online node 0 pfn 0x1 nr 1 seq 1", "expected 'nid'"},
           {"inflight online nid 0 pfn 0x1 nr 1", "expected 9 arguments"},
           {"inflight", "expected 9 arguments"},
       }) {
    const std::string& line = test_case.first;  // not a structured binding: clang 14 cannot
    const std::string& why = test_case.second;  // capture one in the lambda below
    const auto msg = error_of([&] { parse_snapshot(format4(line, "0"), kFile); });
    EXPECT_NE(msg.find("is malformed (" + why), std::string::npos) << line << ": " << msg;
  }
  // a stable file was read with no operation in flight
  EXPECT_NE(error_of([] {
              parse_snapshot(format4(std::string(kOnline), "1"), kFile);
            }).find("a stable file has no memory operation in flight"),
            std::string::npos);
  // required in format 4, unknown before
  EXPECT_NE(error_of([] {
              parse_snapshot(replace(format4(), "inflight none\n", ""), kFile);
            }).find("no 'inflight' line"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_snapshot(replace(rows(), "passes 2\n", "passes 2\ninflight none\n"), kFile);
            }).find("unknown keyword 'inflight' in format 3"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_snapshot(
                  replace(format4(), "inflight none\n", "inflight none\ninflight none\n"), kFile);
            }).find("repeated 'inflight' line"),
            std::string::npos);
}

// Format 5: format 4 with the `arch` header line after kernel_release.
std::string format5(const std::string& arch_line = "arch ppc64le\n") {
  const std::string f4 = format4();
  const std::size_t at = f4.find('\n', f4.find("kernel_release ")) + 1;
  return replace(f4.substr(0, at), "zonelens-format 4", "zonelens-format 5") + arch_line +
         f4.substr(at);
}

TEST(SnapshotFormat5, ArchLine) {
  EXPECT_EQ(parse_snapshot(format5(), kFile).header.arch, "ppc64le");
  EXPECT_EQ(parse_snapshot(format5(), kFile).topology.arch, "ppc64le");
  EXPECT_EQ(parse_snapshot(format4(), kFile).topology.arch, "");  // older formats name none
  // required in format 5, unknown before, once, one argument
  EXPECT_NE(error_of([] { parse_snapshot(format5(""), kFile); }).find("no 'arch' line"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              const std::string f4 = format4();
              parse_snapshot(replace(f4, "passes 2\n", "passes 2\narch x86_64\n"), kFile);
            }).find("unknown keyword 'arch' in format 4"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_snapshot(format5("arch x86_64\narch x86_64\n"), kFile);
            }).find("repeated 'arch' line"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_snapshot(format5("arch\n"), kFile); }).find("expected 1 arguments"),
            std::string::npos);
}

}  // namespace
}  // namespace zonelens
