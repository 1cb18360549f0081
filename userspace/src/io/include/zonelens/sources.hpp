// SPDX-License-Identifier: GPL-2.0-or-later
// Where a Topology (and the module's live state) comes from: the running machine, a captured
// root, or a what-if topology file. This is the I/O edge; everything here throws InputError.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/invariants.hpp"
#include "zonelens/snapshot.hpp"
#include "zonelens/topology.hpp"
#include "zonelens/zonelist_order.hpp"

namespace zonelens {

// The kernel.arch sysctl (5.19+): init_utsname()->machine, under a root or "/".
inline constexpr std::string_view kArchSysctl = "proc/sys/kernel/arch";

// Which reader produced an Observation. Chosen from the command line and from what exists, never
// by retrying another reader after a failure.
enum class SourceKind {
  kModule,       // the module's debugfs snapshot (live or under a captured root)
  kSysfs,        // sysfs + /proc files (live or captured root), no module
  kTopologyFile  // a what-if JSON file
};
std::string_view source_kind_name(SourceKind kind);

// The module's files, read together.
struct ModuleState {
  std::filesystem::path dir;  // .../sys/kernel/debug/zonelens
  Snapshot snapshot;
  EventLog events;
  int reads = 1;  // how many reads of the two files it took to find them settled (read_module)
};

// What a node-state file missing from a captured root was derived from, as the kernel defines
// the state (hwloc captures and old kernels lack some files). Words for people come from the
// report layer (report/lists_reports.cpp); JSON names them (docs/json.md, "derived").
enum class DerivedFrom {
  kNodeDirectories,  // possible, online: the nodeN directories present
  kMemTotal,         // has_memory: the online nodes whose nodeN/meminfo MemTotal is above 0
  kMemory,           // has_normal_memory: N_MEMORY (no CONFIG_HIGHMEM, every 64-bit kernel)
  kCpulist,          // has_cpu: the nodes with a CPU in nodeN/cpulist
  kCpumap,           // nodeN/cpulist: nodeN/cpumap (kernels before 2.6.26)
};

// A file of a captured root that was derived from others instead of read.
struct DerivedFile {
  std::string file;  // relative to the root, e.g. "sys/devices/system/node/has_memory"
  DerivedFrom from = DerivedFrom::kNodeDirectories;
};

// The file of a captured root the kernel release was read from.
enum class ReleaseFile {
  kNone,        // not read from a captured root's sysfs (the module, a topology file, or neither)
  kOsrelease,   // proc/sys/kernel/osrelease
  kProcVersion  // proc/version ("Linux version RELEASE ..."): the capture has no osrelease
};

// What a sysfs reader of a captured root could not read and derived or left unknown.
struct RootNotes {
  // False without /proc/zoneinfo: every node has one zone of unknown type, populated when it is
  // in N_MEMORY; only the node order of the lists is known.
  bool zones_known = true;
  std::vector<DerivedFile> derived;
  // kNone when the capture has neither file (Topology::kernel_release is then empty).
  ReleaseFile release_file = ReleaseFile::kNone;
};
// "proc/sys/kernel/osrelease", "proc/version"; "" for kNone.
std::string_view release_file_path(ReleaseFile file);

struct Observation {
  SourceKind kind = SourceKind::kSysfs;
  std::string origin;  // "live", "root DIR", "topology FILE": for messages and JSON
  Topology topology;
  std::optional<ModuleState> module;  // set when kind == kModule
  RootNotes notes;                    // a captured root's sysfs: what was derived
};

// The path of the module's directory on the live system and under a captured root.
inline constexpr std::string_view kLiveDebugfs = "/sys/kernel/debug";
std::filesystem::path module_dir(const std::optional<std::filesystem::path>& root);

// How long a reader of the module's files waits for a settled state (`--wait`): while the module
// says a memory operation is in flight or no two of its passes agreed (ModuleUnsettled), the files
// are read again, more slowly each time, until they settle or `wait` has passed. Zero: read once.
using ModuleWait = std::chrono::milliseconds;
inline constexpr ModuleWait kNoWait{0};

// The bytes of the two files a settled ModuleState was parsed from (snapshot and capture keep
// them).
struct ModuleTexts {
  std::string snapshot;
  std::string events;
};

// The module's snapshot and event log, required, in one settled state: an InputError says why they
// cannot be read (debugfs not mounted, module not loaded, permission denied, malformed...), and a
// ModuleUnsettled that the state did not settle within `wait` (which memory operation was in
// flight). With `texts`, the raw files of the returned state are stored there.
ModuleState read_module(const std::optional<std::filesystem::path>& root, ModuleWait wait = kNoWait,
                        ModuleTexts* texts = nullptr);

// The topology of the running machine: the module's snapshot when its directory exists (then it
// must read cleanly, waiting as read_module does), otherwise /sys/devices/system/node +
// /proc/zoneinfo + /proc/sys/kernel/osrelease, read by the reader of captured roots with root "/".
Observation observe_live(ModuleWait wait = kNoWait);
// The same for a captured root DIR (DIR/sys/devices/system/node, DIR/proc/..., and
// DIR/sys/kernel/debug/zonelens when it exists). Lists are parsed with parse_id_list.
// Without the module, missing node-state files, /proc/zoneinfo and the release are derived or left
// unknown as Observation::notes says (a captured root only; the running machine has them all).
Observation observe_root(const std::filesystem::path& root, ModuleWait wait = kNoWait);
// A what-if topology file (docs/topology-file.md).
Observation observe_topology_file(const std::filesystem::path& file);

// What the kernel was told about the zonelist order (<= 4.13): /proc/cmdline and
// /proc/sys/vm/numa_zonelist_order, live or under a captured root. A file that does not exist
// stays nullopt (older captures lack them); one that exists but cannot be read is an InputError.
// `option` is left unset.
OrderSources read_order_sources(const std::optional<std::filesystem::path>& root);

// A captured root given as an archive (hwloc-gather-topology's FILE.tar.bz2, zonelens capture's
// FILE.tar.gz, .tar.xz): unpacked with the system's tar into a private temporary directory that the
// destructor removes. Archives with absolute member paths or '..' components are refused, and so is
// one where neither the top nor exactly one top-level directory holds sys/devices/system/node.
class UnpackedRoot {
 public:
  explicit UnpackedRoot(const std::filesystem::path& archive);
  UnpackedRoot(const UnpackedRoot&) = delete;
  UnpackedRoot& operator=(const UnpackedRoot&) = delete;
  UnpackedRoot(UnpackedRoot&&) = delete;
  UnpackedRoot& operator=(UnpackedRoot&&) = delete;
  ~UnpackedRoot();
  // The captured root inside the unpacked tree.
  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path root_;
};
// True when `path` names an archive UnpackedRoot takes (by its name: .tar, .tar.gz, .tgz,
// .tar.bz2, .tar.xz).
bool is_root_archive(const std::filesystem::path& path);
// Where the captured root is inside an unpacked tree `dir` (see UnpackedRoot); InputError naming
// `archive` otherwise.
std::filesystem::path find_capture_root(const std::filesystem::path& dir,
                                        const std::string& archive);
// A member name of `tar -t` that is absolute or has a '..' component.
bool unsafe_member(std::string_view name);

// hwloc-gather-topology ends the sysfs lists it copies (node state lists, nodeN/cpulist) with
// "\n\0": that one trailing NUL after the final newline is dropped, anything else is kept.
std::string_view without_capture_nul(std::string_view text);
// "Node 0 MemTotal:  32856240 kB" of a nodeN/meminfo: the kB, nullopt when there is no such line.
std::optional<std::uint64_t> parse_node_memtotal(std::string_view meminfo);
// "0000ffff,00000000" of a nodeN/cpumap (32-bit hex groups, the last one CPUs 0-31): the CPUs in
// ascending order; nullopt when malformed or a CPU is not below `limit`.
std::optional<std::vector<int>> parse_cpumap(std::string_view text, int limit);
// "Linux version 5.15.0-rc1 (...) #1 SMP ..." of /proc/version: the release, empty when the text
// does not start that way.
std::string release_of_proc_version(std::string_view version);

// Reads one file of a root (read_text_file for a directory; an in-memory tree for the fuzzer).
using FileReader =
    std::function<std::string(const std::filesystem::path& path, std::string_view fix_if_missing)>;
// The sysfs/procfs part of a root (no module files): what observe_root reads without the module.
Topology read_root_topology(const std::filesystem::path& root, const FileReader& read_file);

// Pure readers, exposed for tests and for other front ends.
struct ZoneinfoZone {
  NodeId node = 0;
  Zone zone;
};
// /proc/zoneinfo: every "Node N, zone NAME" block with spanned/present/managed; the zone index is
// the position of the block within its node (the kernel prints every zone of each online pgdat
// in index order).
std::vector<ZoneinfoZone> parse_zoneinfo(std::string_view text, const std::string& file);
// A topology file's JSON text.
Topology parse_topology_json(std::string_view text, const std::string& file);

// The most any input file may hold: a 1024-node snapshot is 32.5 MB.
inline constexpr std::size_t kMaxInputBytes = std::size_t{256} << 20U;

// Whole-file read, the one reader of every input: regular files only (sysfs, procfs and debugfs
// files are), at most kMaxInputBytes. InputError on ENOENT/EACCES/a FIFO or device/a larger file,
// with the path and a fix.
std::string read_text_file(const std::filesystem::path& path, std::string_view fix_if_missing);
// The same for `name` relative to the open directory `dir_fd` (`dir` is its path, for the
// messages): no walk of the whole path per file.
std::string read_text_file_at(int dir_fd, const std::filesystem::path& dir, const std::string& name,
                              std::string_view fix_if_missing);

}  // namespace zonelens
