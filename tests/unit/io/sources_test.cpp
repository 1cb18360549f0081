// SPDX-License-Identifier: GPL-2.0-or-later
// Captured-root readers: sysfs node tree, /proc/zoneinfo, the module directory, file errors.
#include "zonelens/sources.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>

#include "test_util.hpp"
#include "zonelens/invariants.hpp"

namespace zonelens {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::fixture;

// A private copy of a fixture root, removed at the end of the test.
class ScratchRoot {
 public:
  explicit ScratchRoot(const std::string& from) {
    std::string tmpl = (fs::temp_directory_path() / "zonelens-root-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    fs::copy(fixture(from), dir_, fs::copy_options::recursive);
  }
  ~ScratchRoot() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ScratchRoot(const ScratchRoot&) = delete;
  ScratchRoot& operator=(const ScratchRoot&) = delete;
  [[nodiscard]] const fs::path& path() const { return dir_; }
  void write(const std::string& rel, const std::string& text) const {
    std::ofstream(dir_ / rel, std::ios::trunc) << text;
  }

 private:
  fs::path dir_;
};

TEST(Zoneinfo, ParsesTheKernelFormat) {
  // Shape of mm/vmstat.c zoneinfo_show_print() in 6.1 and 6.12 (trimmed).
  const std::string text =
      "Node 0, zone      DMA\n"
      "  per-node stats\n"
      "      nr_inactive_anon 42\n"
      "  pages free     3840\n"
      "        boost    0\n"
      "        spanned  4095\n"
      "        present  3998\n"
      "        managed  3840\n"
      "        cma      0\n"
      "        protection: (0, 1000, 2000, 2000, 2000)\n"
      "Node 0, zone    DMA32\n"
      "  pages free     1\n"
      "        spanned  1044480\n"
      "        present  520000\n"
      "        managed  500000\n"
      "  pagesets\n"
      "    cpu: 0\n"
      "              count: 10\n"
      "Node 1, zone   Normal\n"
      "        spanned  0\n"
      "        present  0\n"
      "        managed  0\n";
  const auto zones = parse_zoneinfo(text, "/proc/zoneinfo");
  ASSERT_EQ(zones.size(), 3U);
  EXPECT_EQ(zones[0].node, 0);
  EXPECT_EQ(zones[0].zone.name, "DMA");
  EXPECT_EQ(zones[0].zone.index, 0);
  EXPECT_EQ(zones[0].zone.spanned, 4095U);
  EXPECT_EQ(zones[0].zone.present, 3998U);
  EXPECT_EQ(zones[0].zone.managed, 3840U);
  EXPECT_EQ(zones[1].zone.index, 1);
  EXPECT_EQ(zones[1].zone.managed, 500000U);
  EXPECT_EQ(zones[2].node, 1);
  EXPECT_EQ(zones[2].zone.index, 0);  // first zone printed for node 1
}

TEST(Zoneinfo, RefusesIncompleteBlocks) {
  const auto msg = error_of([] {
    parse_zoneinfo("Node 0, zone      DMA\n        spanned  1\n        present  1\n", "zi");
  });
  EXPECT_EQ(msg, "zi: zone DMA of node 0 lacks spanned/present/managed: recapture /proc/zoneinfo");
  EXPECT_NE(error_of([] { parse_zoneinfo("Node x, zone DMA\n", "zi"); }).find("bad node id"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_zoneinfo("Node 0, zone DMA\n        spanned  1k\n", "zi");
            }).find("bad or repeated page count"),
            std::string::npos);
}

TEST(RootSysfs, ReadsTheFourNodeMachine) {
  const Observation o = observe_root(fixture("roots/four-node-sysfs"));
  EXPECT_EQ(o.kind, SourceKind::kSysfs);
  EXPECT_FALSE(o.module);
  const Topology& t = o.topology;
  EXPECT_EQ(t.kernel_release, "6.12.0-zonelens-fixture");
  EXPECT_EQ(t.nr_node_ids, 4);
  EXPECT_EQ(t.zone_names,
            (std::vector<std::string>{"DMA", "DMA32", "Normal", "Movable", "Device"}));
  ASSERT_EQ(t.nodes.size(), 4U);
  EXPECT_EQ(t.nodes[3].cpus, (std::vector<int>{4, 5}));
  EXPECT_TRUE(t.nodes[3].cpu);
  EXPECT_FALSE(t.nodes[3].memory);
  EXPECT_TRUE(t.nodes[3].has_pgdat);
  EXPECT_TRUE(t.nodes[2].memory && t.nodes[2].normal_memory && !t.nodes[2].cpu);
  EXPECT_EQ(t.nodes[0].zones[0].present, 3998U);
  EXPECT_EQ(t.distance.at(2, 3), 20);
  EXPECT_EQ(t.distance.at(0, 2), 30);
}

TEST(RootSysfs, DistanceColumnsAreOnlineNodes) {
  // Possible 0-3, node 1 offline: node0/distance has 3 columns, for nodes 0, 2, 3.
  ScratchRoot r("roots/four-node-sysfs");
  const std::string n = "sys/devices/system/node/";
  r.write(n + "online", "0,2-3\n");
  r.write(n + "has_memory", "0,2\n");
  r.write(n + "has_normal_memory", "0,2\n");
  r.write(n + "has_cpu", "0,3\n");
  r.write(n + "node0/distance", "10 30 20\n");
  r.write(n + "node2/distance", "30 10 20\n");
  r.write(n + "node3/distance", "20 20 10\n");
  fs::remove_all(r.path() / n / "node1");
  // /proc/zoneinfo shows online pgdats only: drop node 1's blocks.
  const std::string zi = test::slurp((r.path() / "proc/zoneinfo").string());
  r.write("proc/zoneinfo", zi.substr(0, zi.find("Node 1,")) + zi.substr(zi.find("Node 2,")));
  const Topology t = observe_root(r.path()).topology;
  EXPECT_FALSE(t.nodes[1].online);
  EXPECT_EQ(t.distance.at(0, 2), 30);
  EXPECT_EQ(t.distance.at(0, 3), 20);
  EXPECT_EQ(t.distance.at(2, 3), 20);
  EXPECT_FALSE(t.distance.has(0, 1));  // unknown: the kernel's default applies
}

TEST(RootSysfs, ErrorsNameTheFileAndTheFix) {
  EXPECT_EQ(error_of([] { observe_root("/nonexistent/zonelens-root"); }),
            "/nonexistent/zonelens-root not found: pass a captured root directory to --root");
  {
    ScratchRoot r("roots/four-node-sysfs");
    r.write("sys/devices/system/node/online", "0-x\n");
    EXPECT_NE(
        error_of([&] { observe_root(r.path()); }).find("is not a node list with ids below 1024"),
        std::string::npos);
  }
  {
    ScratchRoot r("roots/four-node-sysfs");
    r.write("sys/devices/system/node/node1/distance", "20 10 30\n");
    EXPECT_NE(error_of([&] { observe_root(r.path()); }).find("expected 4 distances"),
              std::string::npos);
  }
}

// check_topology's distance check, on a dense table (ids 0..n-1, n rows: checked row by row as
// stored) and on a sparse one (node 1 not possible: pair by pair).
TEST(Invariants, DistancesOutsideTenTo255AreRefused) {
  for (const bool dense : {true, false}) {
    for (const auto& [from, to, d] : std::vector<std::tuple<int, int, int>>{
             {0, 2, 9}, {2, 0, 256}, {2, 2, 11}, {0, 0, 20}, {0, 2, -1}}) {
      Topology t;
      t.nr_node_ids = 3;
      t.zone_names = {"Normal"};
      t.distance = DistanceTable(3);
      for (int id = 0; id < 3; ++id) {
        if (id == 1 && !dense) {
          continue;
        }
        t.nodes.push_back(Node{.id = id, .online = true, .memory = true});
        t.nodes.back().zones = {
            Zone{.index = 0, .name = "Normal", .present = 1, .managed = 1, .spanned = 1}};
        for (int other = 0; other < 3; ++other) {
          t.distance.set(id, other, id == other ? 10 : 20);
        }
      }
      t.distance.set(from, to, d);
      if (d == -1) {
        EXPECT_NO_THROW(check_topology(t, "t.json", "fix it")) << "not given: the default";
        continue;
      }
      const std::string err = error_of([&] { check_topology(t, "t.json", "fix it"); });
      EXPECT_EQ(err, "t.json: the distance from node " + std::to_string(from) + " to node " +
                         std::to_string(to) + " is " + std::to_string(d) +
                         " (10 to itself, 10 to 255 to others), which no kernel shows: fix it")
          << (dense ? "dense" : "sparse");
    }
  }
}

// Two threads read the node directories (nodes 1 and 2-3 here, after node 0): the error is still
// the one a single reader meets first.
TEST(RootSysfs, TheFirstBadNodeFileIsTheError) {
  const std::string n = "sys/devices/system/node/";
  ScratchRoot r("roots/four-node-sysfs");
  r.write(n + "node3/distance", "20 20\n");
  const std::string node3 = (r.path() / n / "node3/distance").string();
  EXPECT_EQ(error_of([&] { observe_root(r.path()); }),
            node3 + ": expected 4 distances (one per online node) from 10 to 255: recapture the " +
                "node directory in one go");
  r.write(n + "node1/cpulist", "x\n");
  EXPECT_EQ(
      error_of([&] { observe_root(r.path()); }).find((r.path() / n / "node1/cpulist").string()),
      0U);
  fs::remove(r.path() / n / "node1/cpulist");
  r.write(n + "node2/distance", "20 20\n");
  EXPECT_EQ(error_of([&] { observe_root(r.path()); }),
            (r.path() / n / "node1/cpulist").string() +
                " not found: capture /sys/devices/system/node into the root");
}

TEST(RootSysfs, PermissionDenied) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: file modes cannot make open() fail with EACCES here; the "
                    "EACCES message is covered by the CLI test, which drops privileges when it "
                    "can";
  }
  ScratchRoot r("roots/four-node-sysfs");
  const fs::path f = r.path() / "proc/zoneinfo";
  ::chmod(f.c_str(), 0);
  EXPECT_EQ(error_of([&] { observe_root(r.path()); }),
            f.string() + ": permission denied: run as root");
}

TEST(RootModule, UsesTheSnapshotWhenPresent) {
  const Observation o = observe_root(fixture("roots/four-node-runtime"));
  EXPECT_EQ(o.kind, SourceKind::kModule);
  ASSERT_TRUE(o.module);
  EXPECT_EQ(o.module->snapshot.generation, 1U);
  EXPECT_EQ(o.module->events.events.size(), 3U);
  EXPECT_EQ(o.topology.nodes.size(), 4U);
}

TEST(RootModule, ModuleRequiredButAbsent) {
  const fs::path root = fixture("roots/four-node-sysfs");
  EXPECT_EQ(error_of([&] { read_module(root); }),
            (root / "sys/kernel/debug/zonelens").string() +
                " not found: capture the root with the module loaded (copy "
                "/sys/kernel/debug/zonelens/snapshot and events)");
}

TEST(RootModule, MalformedModuleFileIsAnErrorNotAFallback) {
  ScratchRoot r("roots/four-node-runtime");
  r.write("sys/kernel/debug/zonelens/snapshot", "zonelens-format 1\nstable 1\n");
  EXPECT_NE(error_of([&] { observe_root(r.path()); }).find("truncated"), std::string::npos);
}

// A format-4 root of the four-node machine, settled or in the middle of an online of node 0.
void write_format4(const ScratchRoot& r, bool in_flight) {
  std::string snap = test::slurp(fixture("snapshots/four-node-runtime.format3"));
  snap = test::replace(snap, "zonelens-format 3", "zonelens-format 4");
  snap = test::replace(snap, "passes 2\n",
                       in_flight ? "passes 8\ninflight online nid 0 pfn 0x118000 nr 32768 seq 3\n"
                                 : "passes 2\ninflight none\n");
  if (in_flight) {
    snap = test::replace(snap, "stable 1", "stable 0");
  }
  std::string events =
      test::slurp(fixture("roots/four-node-runtime/sys/kernel/debug/zonelens/events"));
  events = test::replace(events, "zonelens-format 1", "zonelens-format 4");
  const auto log_end = events.find('\n', events.find("\nlog ") + 1);
  events.insert(log_end + 1, "inflight none\n");
  // through a rename, as a reader of a changing root would need: a read never sees half a file
  for (const auto& [name, text] : {std::pair{"snapshot", &snap}, std::pair{"events", &events}}) {
    const fs::path file = r.path() / "sys/kernel/debug/zonelens" / name;
    std::ofstream(file.string() + ".new", std::ios::trunc) << *text;
    fs::rename(file.string() + ".new", file);
  }
}

TEST(RootModule, AnOperationInFlightIsWaitedForThenNamed) {
  ScratchRoot r("roots/four-node-runtime");
  write_format4(r, true);
  const std::string snap = (r.path() / "sys/kernel/debug/zonelens/snapshot").string();
  EXPECT_EQ(error_of([&] { read_module(r.path()); }),
            snap +
                ": a memory online of node 0 (pfn 0x118000, 32768 pages, from event 3) is in "
                "progress (not waiting for it): run again when it has ended, or wait longer with "
                "--wait SECONDS");
  const auto start = std::chrono::steady_clock::now();
  const std::string msg = error_of([&] { read_module(r.path(), ModuleWait(300)); });
  EXPECT_GE(std::chrono::steady_clock::now() - start, ModuleWait(300));
  EXPECT_NE(msg.find("is in progress (waited 0.3 s for it to end)"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("malformed"), std::string::npos) << msg;
}

TEST(RootModule, TheStateAfterTheOperationIsTheAnswer) {
  ScratchRoot r("roots/four-node-runtime");
  write_format4(r, true);
  // the operation ends 150 ms into a wait of 5 s: the settled state is read and returned
  std::thread ends([&r] {
    std::this_thread::sleep_for(ModuleWait(150));
    write_format4(r, false);
  });
  ModuleTexts texts;
  const auto start = std::chrono::steady_clock::now();
  const ModuleState m = read_module(r.path(), ModuleWait(5000), &texts);
  const auto took = std::chrono::steady_clock::now() - start;
  ends.join();
  EXPECT_GE(took, ModuleWait(150));
  EXPECT_LT(took, ModuleWait(4000));
  EXPECT_EQ(m.snapshot.header.format_version, 4);
  EXPECT_EQ(m.snapshot.generation, 1U);
  EXPECT_NE(texts.snapshot.find("inflight none\n"), std::string::npos);
  EXPECT_NE(texts.events.find("inflight none\n"), std::string::npos);
}

TEST(RootModule, AnEventLogInFlightIsWaitedFor) {
  ScratchRoot r("roots/four-node-runtime");
  write_format4(r, false);
  std::string events = test::slurp((r.path() / "sys/kernel/debug/zonelens/events").string());
  r.write("sys/kernel/debug/zonelens/events",
          test::replace(events, "inflight none", "inflight offline nid 2 pfn - nr - seq 3"));
  EXPECT_NE(error_of([&] {
              read_module(r.path());
            }).find("a memory offline of node 2 (from event 3) is in progress (not waiting"),
            std::string::npos);
}

TEST(Files, DirectoryInsteadOfFile) {
  EXPECT_NE(error_of([] { read_text_file("/", "x"); }).find("is a directory"), std::string::npos);
}

// hwloc-gather-topology ends the node lists it copies with "\n\0".
TEST(CaptureNul, OnlyTheNulAfterTheFinalNewlineIsDropped) {
  using namespace std::string_view_literals;
  EXPECT_EQ(without_capture_nul("0-3\n\0"sv), "0-3\n"sv);
  EXPECT_EQ(without_capture_nul("0-3\n"sv), "0-3\n"sv);
  EXPECT_EQ(without_capture_nul("0-3\0"sv), "0-3\0"sv);          // no newline before it: kept
  EXPECT_EQ(without_capture_nul("0-3\n\0\0"sv), "0-3\n\0\0"sv);  // two: kept
}

TEST(CaptureNul, ToleratedInTheListsHwlocWritesItIn) {
  ScratchRoot r("roots/four-node-sysfs");
  const std::string n = "sys/devices/system/node/";
  for (const char* f : {"possible", "online", "has_cpu", "has_normal_memory"}) {
    const std::string text = test::slurp((r.path() / n / f).string());
    r.write(n + f, text + std::string(1, '\0'));
  }
  r.write(n + "node3/cpulist", std::string("4-5\n\0", 5));
  const Topology t = observe_root(r.path()).topology;
  EXPECT_EQ(t.nodes.size(), 4U);
  EXPECT_EQ(t.nodes[3].cpus, (std::vector<int>{4, 5}));
  // Not in a distance row: hwloc never writes it there.
  r.write(n + "node0/distance", std::string("10 20 30 20\n\0", 13));
  EXPECT_NE(error_of([&] { observe_root(r.path()); }).find("node0/distance: expected 4 distances"),
            std::string::npos);
}

TEST(CaptureDerived, MissingStateFilesAreDerivedAndListed) {
  ScratchRoot r("roots/four-node-sysfs");
  const std::string n = "sys/devices/system/node/";
  for (const char* f : {"possible", "online", "has_memory", "has_normal_memory", "has_cpu"}) {
    fs::remove(r.path() / n / f);
  }
  // Node 3 has no memory (MemTotal 0), node 2 no CPU (empty cpulist).
  for (const int id : {0, 1, 2, 3}) {
    r.write(n + "node" + std::to_string(id) + "/meminfo",
            "Node " + std::to_string(id) + " MemTotal:       " + (id == 3 ? "0" : "524288") +
                " kB\nNode " + std::to_string(id) + " MemFree:        1000 kB\n");
  }
  const Observation o = observe_root(r.path());
  const Topology& t = o.topology;
  ASSERT_EQ(t.nodes.size(), 4U);
  EXPECT_EQ(t.nr_node_ids, 4);
  for (const auto& node : t.nodes) {
    EXPECT_TRUE(node.online) << node.id;
    EXPECT_EQ(node.memory, node.id != 3) << node.id;
    EXPECT_EQ(node.normal_memory, node.id != 3) << node.id;
    EXPECT_EQ(node.cpu, node.id != 2) << node.id;
  }
  std::vector<std::string> files;
  std::vector<DerivedFrom> from;
  for (const auto& d : o.notes.derived) {
    files.push_back(d.file);
    from.push_back(d.from);
  }
  EXPECT_EQ(files, (std::vector<std::string>{n + "possible", n + "online", n + "has_memory",
                                             n + "has_normal_memory", n + "has_cpu"}));
  EXPECT_EQ(from, (std::vector<DerivedFrom>{DerivedFrom::kNodeDirectories,
                                            DerivedFrom::kNodeDirectories, DerivedFrom::kMemTotal,
                                            DerivedFrom::kMemory, DerivedFrom::kCpulist}));
  EXPECT_TRUE(o.notes.zones_known);
  // A present file that is wrong is still refused.
  r.write(n + "has_cpu", "0-9\n");
  EXPECT_NE(error_of([&] { observe_root(r.path()); }).find("node 4 in 'has_cpu'"),
            std::string::npos);
  // A node without a MemTotal line, when has_memory must be derived, is refused.
  fs::remove(r.path() / n / "has_cpu");
  r.write(n + "node1/meminfo", "Node 1 MemFree: 1000 kB\n");
  EXPECT_EQ(error_of([&] { observe_root(r.path()); }),
            (r.path() / n / "node1/meminfo").string() +
                ": no 'Node 1 MemTotal: N kB' line: recapture the file");
}

TEST(CaptureDerived, WithoutZoneinfoOneZonePerNodePopulatedByNMemory) {
  ScratchRoot r("roots/four-node-sysfs");
  fs::remove(r.path() / "proc/zoneinfo");
  const Observation o = observe_root(r.path());
  EXPECT_FALSE(o.notes.zones_known);
  const Topology& t = o.topology;
  ASSERT_EQ(t.nodes.size(), 4U);
  for (const auto& node : t.nodes) {
    ASSERT_EQ(node.zones.size(), 1U) << node.id;
    EXPECT_EQ(node.zones[0].present > 0, node.memory) << node.id;  // has_memory 0-2
  }
  EXPECT_FALSE(t.nodes[3].memory);
}

TEST(CaptureRelease, ProcVersionWhenThereIsNoOsrelease) {
  EXPECT_EQ(release_of_proc_version("Linux version 4.14.0-49.el7a.ppc64le (root@wos243) #1 SMP"),
            "4.14.0-49.el7a.ppc64le");
  EXPECT_EQ(release_of_proc_version("SunOS 5.11"), "");
  ScratchRoot r("roots/four-node-sysfs");
  EXPECT_EQ(observe_root(r.path()).notes.release_file, ReleaseFile::kOsrelease);
  fs::remove(r.path() / "proc/sys/kernel/osrelease");
  r.write("proc/version",
          "Linux version 3.10.0-1160.el7.x86_64 (mockbuild@x) (gcc 4.8.5) #1 SMP\n");
  Observation o = observe_root(r.path());
  EXPECT_EQ(o.topology.kernel_release, "3.10.0-1160.el7.x86_64");
  EXPECT_EQ(o.notes.release_file, ReleaseFile::kProcVersion);
  EXPECT_EQ(release_file_path(o.notes.release_file), "proc/version");
  fs::remove(r.path() / "proc/version");
  o = observe_root(r.path());
  EXPECT_EQ(o.topology.kernel_release, "");
  EXPECT_EQ(o.notes.release_file, ReleaseFile::kNone);
}

TEST(CaptureCpumap, HexGroupsLastIsCpusZeroTo31) {
  EXPECT_EQ(parse_cpumap("00000000,0000000f\n", kMaxCpus), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_cpumap("80000000,00000001", kMaxCpus), (std::vector<int>{0, 63}));
  EXPECT_EQ(parse_cpumap("00000000", kMaxCpus), (std::vector<int>{}));
  EXPECT_FALSE(parse_cpumap("0000000g", kMaxCpus));
  EXPECT_FALSE(parse_cpumap("000000001", kMaxCpus));  // 9 digits in a group
  EXPECT_FALSE(parse_cpumap("1,00000000", 32));       // CPU 32, not below 32
}

TEST(CaptureArchive, MemberNamesAndTheRootInside) {
  EXPECT_TRUE(unsafe_member("/etc/passwd"));
  EXPECT_TRUE(unsafe_member("x/../../etc"));
  EXPECT_TRUE(unsafe_member(".."));
  EXPECT_TRUE(unsafe_member("x/.."));
  EXPECT_FALSE(unsafe_member("x/sys/devices/system/node/possible"));
  EXPECT_FALSE(unsafe_member("x/..a/b..c"));
  EXPECT_TRUE(is_root_archive("cap.tar.bz2"));
  EXPECT_TRUE(is_root_archive("cap.tgz"));
  EXPECT_FALSE(is_root_archive("cap.zip"));
  EXPECT_FALSE(is_root_archive(".tar.gz"));
}

TEST(CaptureArchive, UnpackedIntoATemporaryDirectoryRemovedAfterwards) {
  ScratchRoot work("roots/four-node-sysfs");
  const fs::path top = work.path() / "pack";
  fs::create_directories(top);
  fs::copy(fixture("roots/four-node-sysfs"), top / "machine-a", fs::copy_options::recursive);
  const fs::path archive = work.path() / "machine-a.tar.bz2";
  ASSERT_EQ(
      std::system(("tar -cjf " + archive.string() + " -C " + top.string() + " machine-a").c_str()),
      0);
  fs::path unpacked;
  {
    const UnpackedRoot u(archive);
    unpacked = u.root();
    EXPECT_EQ(unpacked.filename(), "machine-a");
    EXPECT_EQ(observe_root(unpacked).topology.nodes.size(), 4U);
  }
  EXPECT_FALSE(fs::exists(unpacked.parent_path()));
  // Two top-level directories: which one is the root is not guessed.
  fs::copy(fixture("roots/four-node-sysfs"), top / "machine-b", fs::copy_options::recursive);
  ASSERT_EQ(
      std::system(("tar -cjf " + archive.string() + " -C " + top.string() + " machine-a machine-b")
                      .c_str()),
      0);
  EXPECT_EQ(error_of([&] { const UnpackedRoot u(archive); }),
            archive.string() +
                ": neither the archive's top nor its one top-level directory holds "
                "sys/devices/system/node: pass an hwloc-gather-topology or zonelens capture "
                "archive");
  // A '..' member is refused before anything is unpacked.
  const fs::path evil = work.path() / "evil.tar";
  ASSERT_EQ(std::system(("cd " + top.string() + "/machine-a && tar -P -cf " + evil.string() +
                         " ../machine-b/proc")
                            .c_str()),
            0);
  EXPECT_NE(error_of([&] { const UnpackedRoot u(evil); }).find("has a '..' component"),
            std::string::npos);
}

}  // namespace
}  // namespace zonelens
