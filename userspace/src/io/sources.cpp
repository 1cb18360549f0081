// SPDX-License-Identifier: GPL-2.0-or-later
// Topology sources: the module's debugfs files, and sysfs + /proc read by one reader for the
// running machine (root "/") and for a captured root.
#include "zonelens/sources.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>

#include "text.hpp"
#include "topology_builder.hpp"
#include "zonelens/error.hpp"
#include "zonelens/idlist.hpp"

namespace zonelens {

namespace fs = std::filesystem;

namespace {

constexpr long kDebugfsMagic = 0x64626720;  // DEBUGFS_MAGIC (include/uapi/linux/magic.h)
constexpr std::string_view kModuleName = "zonelens";

// Node-state lists of sysfs, in the order of Node's fields.
struct NodeStates {
  std::vector<int> possible, online, memory, normal_memory, cpu;
};

// An O_PATH descriptor of a directory, closed on every path out; -1 when it could not be opened
// (the reader then goes by whole paths, whose errors name the file).
class DirFd {
 public:
  explicit DirFd(int fd) : fd_(fd) {}
  DirFd(const DirFd&) = delete;
  DirFd& operator=(const DirFd&) = delete;
  DirFd(DirFd&&) = delete;
  DirFd& operator=(DirFd&&) = delete;
  ~DirFd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

// What the sysfs reader collects before assembly.
struct SysfsData {
  NodeStates states;
  std::vector<std::vector<CpuId>> cpus_of_online;  // parallel to states.online
  // Row i: online[i] to every online node, rows of online.size(). Distances are checked to be at
  // most 255 and kept as bytes (1M of them at 1024 nodes).
  std::vector<std::uint8_t> distances;
  std::string zoneinfo;
  std::string zoneinfo_file;
  std::string release;
  std::string arch;      // proc/sys/kernel/arch (5.19+), "" without it
  std::string_view fix;  // what to do when the files break an invariant
  RootNotes notes;       // what was derived (captured roots only)
};

// True when `p` exists, false when it does not; a path that cannot be looked at is an error,
// never taken for "absent" (that would silently switch sources).
bool path_exists(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) == 0) {
    return true;
  }
  if (errno == ENOENT || errno == ENOTDIR) {
    return false;
  }
  if (errno == EACCES || errno == EPERM) {
    throw InputError(p.string() + ": permission denied: run as root");
  }
  throw InputError(p.string() + ": " + std::strerror(errno) + ": check the path");
}

// A --root argument: an existing directory.
void require_root_dir(const fs::path& root) {
  if (!path_exists(root)) {
    throw InputError(root.string() + " not found: pass a captured root directory to --root");
  }
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw InputError(root.string() +
                     " is not a directory: pass a captured root directory or archive (.tar, "
                     ".tar.gz, .tgz, .tar.bz2, .tar.xz) to --root");
  }
}

std::string first_line(std::string_view text) {
  return std::string(io_detail::trim(text.substr(0, text.find('\n'))));
}

// Row `from` of the online nodes' distances (every online node is a checked possible node).
void set_distance_row(DistanceTable& table, const std::vector<int>& online, int from,
                      const std::uint8_t* row) {
  for (std::size_t j = 0; j < online.size(); ++j) {
    table.set(from, online[j], static_cast<int>(row[j]));
  }
}

Topology assemble(SysfsData d, const std::string& origin, RootNotes* notes = nullptr) {
  if (notes != nullptr) {
    *notes = std::move(d.notes);
    d.notes.zones_known = notes->zones_known;
  }
  Topology topo;
  topo.kernel_release = std::move(d.release);
  topo.arch = std::move(d.arch);
  if (d.states.possible.empty()) {
    throw InputError(origin + ": no possible node: check the captured node directory");
  }
  topo.nr_node_ids = d.states.possible.back() + 1;
  std::vector<ZoneinfoZone> zones;
  if (d.notes.zones_known) {
    zones = parse_zoneinfo(d.zoneinfo, d.zoneinfo_file);
  } else {
    // Zones unknown: one zone of unknown type per online node, populated exactly when the node is
    // in N_MEMORY, so that the node order (which depends only on N_MEMORY, N_CPU and distances)
    // comes out as the kernel's.
    for (const int id : d.states.online) {
      ZoneinfoZone z;
      z.node = id;
      z.zone.name = "Normal";  // one zone; its type is unknown and never printed
      const bool memory = std::binary_search(d.states.memory.begin(), d.states.memory.end(), id);
      z.zone.spanned = z.zone.present = z.zone.managed = memory ? 1 : 0;
      zones.push_back(std::move(z));
    }
  }
  // Zone names by index, from the first node: every pgdat has the same zones.
  for (const auto& z : zones) {
    if (z.node != zones.front().node) {
      break;
    }
    topo.zone_names.push_back(z.zone.name);
  }
  for (std::size_t i = 0; i < zones.size(); ++i) {
    const auto& z = zones[i];
    const bool last_of_node = i + 1 == zones.size() || zones[i + 1].node != z.node;
    if (static_cast<std::size_t>(z.zone.index) >= topo.zone_names.size() ||
        topo.zone_names[static_cast<std::size_t>(z.zone.index)] != z.zone.name ||
        (last_of_node && static_cast<std::size_t>(z.zone.index) + 1 != topo.zone_names.size())) {
      throw InputError(d.zoneinfo_file + ": node " + std::to_string(z.node) +
                       " does not have the zones of node " + std::to_string(zones.front().node) +
                       " (every pgdat has the same zones, in index order): recapture " +
                       "/proc/zoneinfo");
    }
  }
  TopologyBuilder build(topo, d.states.possible, [&origin](NodeId id, std::string_view list) {
    return origin + ": node " + std::to_string(id) + " in '" + std::string(list) +
           "' is not a possible node: check the captured files";
  });
  auto node = [&build](int id, std::string_view list) -> Node& { return build.node(id, list); };
  build.set_states(d.states.online, d.states.memory, d.states.normal_memory, d.states.cpu,
                   {"online", "has_memory", "has_normal_memory", "has_cpu"});
  topo.distance = DistanceTable(topo.nr_node_ids);
  const auto& online = d.states.online;
  const std::size_t columns = online.size();
  for (std::size_t i = 0; i < online.size(); ++i) {
    node(online[i], "online").cpus = std::move(d.cpus_of_online[i]);
    set_distance_row(topo.distance, online, online[i], d.distances.data() + (i * columns));
  }
  for (const auto& z : zones) {
    build.add_zone(z.node, z.zone, d.zoneinfo_file);
  }
  check_topology(topo, origin, d.fix);
  return topo;
}

constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "10 20 30\n" -> {10, 20, 30} into row[0, want): true when the text holds exactly `want`
// numbers of at most 4 digits, each at most 255, separated by blanks. One pass, no token vector
// (a 1024-node root has 1M of them).
bool parse_distance_row(std::string_view text, std::uint8_t* row, std::size_t want) {
  const char* p = text.data();
  const char* const end = p + text.size();
  std::size_t count = 0;
  while (true) {
    // The common case, in a tight loop: two digits (no leading 0) and a blank, "10 16 32 ...".
    while (end - p >= 3 && count < want) {
      const auto tens = static_cast<unsigned>(static_cast<unsigned char>(p[0])) - '1';
      const auto ones = static_cast<unsigned>(static_cast<unsigned char>(p[1])) - '0';
      if (tens > 8 || ones > 9 || !is_blank(p[2])) {
        break;
      }
      row[count++] = static_cast<std::uint8_t>(((tens + 1) * 10) + ones);
      p += 3;
    }
    while (p != end && is_blank(*p)) {
      ++p;
    }
    if (p == end) {
      return count == want;
    }
    if (end - p >= 3 && is_digit(p[0]) && is_digit(p[1]) && is_blank(p[2])) {
      if (count == want) {
        return false;
      }
      // Two digits and a blank, the common case: "10 16 32" (below 10 only with a leading 0).
      if (p[0] == '0') {
        return false;
      }
      row[count++] = static_cast<std::uint8_t>(((p[0] - '0') * 10) + (p[1] - '0'));
      p += 3;
      continue;
    }
    auto v = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
    if (v > 9) {
      return false;
    }
    const char* const digits_end = p + std::min<std::ptrdiff_t>(end - p, 4);
    ++p;
    while (p != digits_end) {
      const auto digit = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
      if (digit > 9) {
        break;
      }
      v = (v * 10) + digit;
      ++p;
    }
    if (v < kLocalDistance || v > kMaxDistance || (p != end && !is_blank(*p)) || count == want) {
      return false;
    }
    row[count++] = static_cast<std::uint8_t>(v);
  }
}

// What the sysfs reader tells the user to do, for a captured root or for the running machine.
// The live texts differ only in the fix: a running kernel's files cannot be "recaptured".
struct SysfsFixes {
  std::string_view missing_node_file;  // a file of /sys/devices/system/node does not exist
  std::string_view bad_file;           // a list or distance file does not parse
  std::string_view torn_distances;     // a distance row has the wrong number of columns
  std::string_view missing_zoneinfo;
  std::string_view missing_osrelease;
  std::string_view invariant;  // the files break an invariant (check_topology)
};

constexpr SysfsFixes kRootFixes{
    "capture /sys/devices/system/node into the root",
    "recapture the file",
    "recapture the node directory in one go",
    "capture /proc/zoneinfo into the root",
    "capture /proc/sys/kernel/osrelease into the root",
    "recapture the root with 'zonelens capture' on the machine",
};

// The running machine: the same files under "/". A wrong column count there means a node went
// online or offline between two reads (sysfs has no consistent snapshot of several files).
constexpr SysfsFixes kLiveFixes{
    "mount sysfs on /sys (a kernel without CONFIG_NUMA has no node directory: use --root DIR or "
    "--topology FILE)",
    "report a kernel bug",
    "run again (a node went online or offline while it was read)",
    "mount procfs on /proc",
    "mount procfs on /proc",
    "report a kernel bug",
};

// Every sysfs + /proc reading, of a captured root or of the running machine (root "/"): plain
// files, lists parsed with parse_id_list. Not libnuma: libnuma checks ids against the running
// machine (wrong for a root), and Debian 12's libnuma 2.0.16 overflows a 128-bit mask in its
// constructor on a machine with more than 128 configured nodes (docs/cli.md).
// From this many online nodes on, with `parallel`, two threads read the node directories.
constexpr std::size_t kParallelNodes = 4;

// The ids of the nodeN directories under `nodes`, ascending (the nodes sysfs registered: the
// online ones, register_one_node).
std::vector<int> node_directories(const fs::path& nodes, std::string_view fix_if_missing) {
  std::vector<int> ids;
  std::error_code ec;
  for (fs::directory_iterator it(nodes, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with("node") || name.size() == 4) {
      continue;
    }
    const auto id = io_detail::to_number<int>(std::string_view(name).substr(4));
    if (id && *id < kMaxNumnodes && it->is_directory(ec)) {
      ids.push_back(*id);
    }
  }
  if (ec) {
    throw InputError(nodes.string() + ": " + ec.message() + ": " + std::string(fix_if_missing));
  }
  if (ids.empty()) {
    throw InputError(nodes.string() + " has no nodeN directory and no 'possible' file: " +
                     std::string(fix_if_missing));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// `parallel`: read_file may run in two threads at once (read_text_file may; the fuzzer's
// in-memory reader is not asked to).
// `derive`: a captured root on the file system, whose missing node-state files, /proc/zoneinfo and
// release are derived or left unknown (RootNotes) instead of refused.
SysfsData read_sysfs(const fs::path& root, const FileReader& read_file, const SysfsFixes& fixes,
                     bool parallel, bool derive = false) {
  SysfsData d;
  d.fix = fixes.invariant;
  const fs::path nodes = root / "sys/devices/system/node";
  const std::string bad_fix(fixes.bad_file);
  auto parsed_list = [&](const fs::path& file, const std::string& text, int limit) {
    auto ids = parse_id_list(without_capture_nul(text), limit);
    if (!ids) {
      throw InputError(
          file.string() + ": '" + first_line(text).substr(0, 80) + "' is not a " +
          (limit == kMaxCpus ? "CPU list with ids below 8192" : "node list with ids below 1024") +
          ": " + bad_fix);
    }
    return std::move(*ids);
  };
  auto list = [&](const fs::path& file, int limit) {
    return parsed_list(file, read_file(file, fixes.missing_node_file), limit);
  };
  // Every running kernel has a possible and an online node.
  auto states = [&](const fs::path& file) {
    auto ids = list(file, kMaxNumnodes);
    if (ids.empty()) {
      throw InputError(file.string() +
                       " is empty, but a running kernel always has a node there: " + bad_fix);
    }
    return ids;
  };
  const std::string node_dir = "sys/devices/system/node/";
  // A state file that is absent from a captured root (and only then) is derived.
  const auto absent = [&](const char* name) { return derive && !path_exists(nodes / name); };
  const auto note = [&](const char* name, DerivedFrom from) {
    d.notes.derived.push_back({node_dir + name, from});
  };
  std::vector<int> dirs;  // the nodeN directories, when a state file is derived from them
  if (absent("possible") || absent("online")) {
    dirs = node_directories(nodes, fixes.missing_node_file);
  }
  if (absent("possible")) {
    d.states.possible = dirs;
    note("possible", DerivedFrom::kNodeDirectories);
  } else {
    d.states.possible = states(nodes / "possible");
  }
  if (absent("online")) {
    d.states.online = dirs;
    note("online", DerivedFrom::kNodeDirectories);
  } else {
    d.states.online = states(nodes / "online");
  }
  const bool derive_memory = absent("has_memory");
  const bool derive_normal = absent("has_normal_memory");
  const bool derive_cpu = absent("has_cpu");
  if (derive_memory) {
    // N_MEMORY: the online nodes with memory (nodeN/meminfo MemTotal above 0).
    for (const int id : d.states.online) {
      const fs::path file = nodes / ("node" + std::to_string(id)) / "meminfo";
      const auto kb = parse_node_memtotal(read_file(file, fixes.missing_node_file));
      if (!kb) {
        throw InputError(file.string() + ": no 'Node " + std::to_string(id) +
                         " MemTotal: N kB' line: " + bad_fix);
      }
      if (*kb > 0) {
        d.states.memory.push_back(id);
      }
    }
    note("has_memory", DerivedFrom::kMemTotal);
  } else {
    d.states.memory = list(nodes / "has_memory", kMaxNumnodes);
  }
  if (derive_normal) {
    // Without CONFIG_HIGHMEM (every 64-bit kernel) N_HIGH_MEMORY is N_NORMAL_MEMORY, and N_MEMORY
    // was N_HIGH_MEMORY before 3.8 (include/linux/nodemask.h).
    d.states.normal_memory = d.states.memory;
    note("has_normal_memory", DerivedFrom::kMemory);
  } else {
    d.states.normal_memory = list(nodes / "has_normal_memory", kMaxNumnodes);
  }
  if (!derive_cpu) {
    d.states.cpu = list(nodes / "has_cpu", kMaxNumnodes);
  }
  const std::size_t n_online = d.states.online.size();
  // Node i's cpulist and distance row (row i of d.distances).
  // With read_text_file, the node files are opened relative to the node directory: the kernel
  // walks two path components per file instead of the whole path (4,096 files at 1024 nodes).
  const DirFd nodes_dir(parallel ? ::open(nodes.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC) : -1);
  std::atomic<bool> from_cpumap{false};
  const auto read_node = [&](std::size_t i) {
    const std::string name = "node" + std::to_string(d.states.online[i]);
    std::string text;
    // Without either file, the error names cpulist.
    if (derive && !path_exists(nodes / name / "cpulist") && path_exists(nodes / name / "cpumap")) {
      // Kernels before 2.6.26 have only the mask (node_read_cpumap): the same CPUs.
      const fs::path file = nodes / name / "cpumap";
      text = read_file(file, fixes.missing_node_file);
      auto cpus = parse_cpumap(without_capture_nul(text), kMaxCpus);
      if (!cpus) {
        throw InputError(file.string() + ": '" + first_line(text).substr(0, 80) +
                         "' is not a CPU mask with ids below 8192: " + bad_fix);
      }
      d.cpus_of_online[i] = std::move(*cpus);
      from_cpumap = true;
      text = read_file(nodes / name / "distance", fixes.missing_node_file);
    } else if (nodes_dir.get() >= 0) {
      const std::string file = name + "/cpulist";
      text = read_text_file_at(nodes_dir.get(), nodes, file, fixes.missing_node_file);
      d.cpus_of_online[i] = parsed_list(nodes / file, text, kMaxCpus);
      text = read_text_file_at(nodes_dir.get(), nodes, name + "/distance", fixes.missing_node_file);
    } else {
      d.cpus_of_online[i] = list(nodes / name / "cpulist", kMaxCpus);
      text = read_file(nodes / name / "distance", fixes.missing_node_file);
    }
    // sysfs prints one column per *online* node (node_read_distance: for_each_online_node).
    if (!parse_distance_row(text, d.distances.data() + (i * n_online), n_online)) {
      throw InputError(
          (nodes / name / "distance").string() + ": expected " + std::to_string(n_online) +
          " distances (one per online node) from 10 to 255: " + std::string(fixes.torn_distances));
    }
  };
  const auto read_nodes = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      read_node(i);
    }
  };
  d.cpus_of_online.resize(n_online);
  // The first node alone: the table of every row is allocated once its files are there.
  d.distances.resize(n_online);
  read_node(0);
  d.distances.resize(n_online * n_online);
  if (parallel && n_online >= kParallelNodes) {
    // Two threads, each half of the nodes (the machine's files are independent). The error is
    // the one a single thread meets first: the first half's, else the second's.
    const std::size_t half = 1 + ((n_online - 1) / 2);
    std::exception_ptr second_error;
    std::thread second([&] {
      try {
        read_nodes(half, n_online);
      } catch (...) {
        second_error = std::current_exception();
      }
    });
    std::exception_ptr first_error;
    try {
      read_nodes(1, half);
    } catch (...) {
      first_error = std::current_exception();
    }
    second.join();
    if (first_error) {
      std::rethrow_exception(first_error);
    }
    if (second_error) {
      std::rethrow_exception(second_error);
    }
  } else {
    read_nodes(1, n_online);
  }
  if (from_cpumap) {
    note("nodeN/cpulist", DerivedFrom::kCpumap);
  }
  if (derive_cpu) {
    // N_CPU: the nodes with a CPU in their (online) cpulist.
    for (std::size_t i = 0; i < n_online; ++i) {
      if (!d.cpus_of_online[i].empty()) {
        d.states.cpu.push_back(d.states.online[i]);
      }
    }
    note("has_cpu", DerivedFrom::kCpulist);
  }
  d.zoneinfo_file = (root / "proc/zoneinfo").string();
  if (derive && !path_exists(d.zoneinfo_file)) {
    d.notes.zones_known = false;
  } else {
    d.zoneinfo = read_file(d.zoneinfo_file, fixes.missing_zoneinfo);
  }
  const fs::path osrelease = root / "proc/sys/kernel/osrelease";
  const fs::path version = root / "proc/version";
  if (!derive || path_exists(osrelease)) {
    d.release = first_line(read_file(osrelease, fixes.missing_osrelease));
    d.notes.release_file = ReleaseFile::kOsrelease;
  } else if (path_exists(version)) {
    const std::string text = read_file(version, fixes.missing_osrelease);
    d.release = release_of_proc_version(text);
    if (d.release.empty()) {
      throw InputError(version.string() + ": '" + first_line(text).substr(0, 80) +
                       "' does not start with 'Linux version RELEASE': " + bad_fix);
    }
    d.notes.release_file = ReleaseFile::kProcVersion;
  }
  // init_utsname()->machine, a sysctl since 5.19; older captures name no architecture
  if (const fs::path arch = root / kArchSysctl; path_exists(arch)) {
    d.arch = first_line(read_file(arch, fixes.bad_file));
  }
  return d;
}

}  // namespace

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kModule:
      return "module";
    case SourceKind::kSysfs:
      return "sysfs";
    case SourceKind::kTopologyFile:
      return "topology-file";
  }
  return "?";
}

std::string_view release_file_path(ReleaseFile file) {
  switch (file) {
    case ReleaseFile::kNone:
      return "";
    case ReleaseFile::kOsrelease:
      return "proc/sys/kernel/osrelease";
    case ReleaseFile::kProcVersion:
      return "proc/version";
  }
  return "";
}

fs::path module_dir(const std::optional<fs::path>& root) {
  if (root) {
    return *root / "sys/kernel/debug" / kModuleName;
  }
  return fs::path(kLiveDebugfs) / kModuleName;
}

namespace {

// One read of both files: a settled state, or ModuleUnsettled.
ModuleState read_module_once(const fs::path& dir, std::string_view fix, ModuleTexts* texts) {
  ModuleState m;
  m.dir = dir;
  const fs::path snap = dir / "snapshot";
  const fs::path events = dir / "events";
  std::string snap_text = read_text_file(snap, fix);
  m.snapshot = parse_snapshot(snap_text, snap.string());
  std::string events_text = read_text_file(events, fix);
  m.events = parse_event_log(events_text, events.string());
  if (m.events.in_flight) {
    throw ModuleUnsettled(events.string(),
                          "read while " + describe_memory_op(*m.events.in_flight) +
                              " was in progress: read it again when it has ended",
                          true, m.events.in_flight);
  }
  check_event_ids(m.snapshot.header, m.events, events.string());
  if (texts != nullptr) {
    texts->snapshot = std::move(snap_text);
    texts->events = std::move(events_text);
  }
  return m;
}

// "5 s", "0.5 s"
std::string seconds_text(ModuleWait wait) {
  const auto ms = wait.count();
  std::string s = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string frac = std::to_string(1000 + (ms % 1000)).substr(1);
    while (frac.back() == '0') {
      frac.pop_back();
    }
    s += "." + frac;
  }
  return s + " s";
}

// The sentence when the wait ran out (or there was none): what kept the state from settling.
ModuleUnsettled still_unsettled(const ModuleUnsettled& last, ModuleWait wait) {
  const std::string waited =
      wait.count() > 0 ? "waited " + seconds_text(wait) + " for it to end" : "not waiting for it";
  if (last.op()) {
    return {last.file(),
            describe_memory_op(*last.op()) + " is in progress (" + waited +
                "): run again when it has ended, or wait longer with --wait SECONDS",
            last.stable(), last.op()};
  }
  return {last.file(),
          "unstable, zonelists changed during every read pass (" +
              (wait.count() > 0 ? "for " + seconds_text(wait) : std::string("read once")) +
              "): read it again, or wait longer with --wait SECONDS",
          false, std::nullopt};
}

}  // namespace

ModuleState read_module(const std::optional<fs::path>& root, ModuleWait wait, ModuleTexts* texts) {
  const fs::path dir = module_dir(root);
  if (root) {
    require_root_dir(*root);
    if (!path_exists(dir)) {
      throw InputError(dir.string() +
                       " not found: capture the root with the module loaded (copy "
                       "/sys/kernel/debug/zonelens/snapshot and events)");
    }
  } else {
    struct statfs sfs {};
    if (::statfs(std::string(kLiveDebugfs).c_str(), &sfs) != 0 ||
        static_cast<long>(sfs.f_type) != kDebugfsMagic) {
      throw InputError(std::string(kLiveDebugfs) +
                       " is not mounted: mount -t debugfs none /sys/kernel/debug");
    }
    if (!path_exists(dir)) {
      throw InputError(dir.string() + " not found: load the module (insmod zonelens.ko)");
    }
  }
  const std::string_view fix =
      root ? "capture the root again with the module loaded ('zonelens capture' copies snapshot "
             "and events)"
           : "load a zonelens module of this version (insmod zonelens.ko)";
  // A memory block online takes milliseconds natively and up to a second under emulation: look
  // again soon, then less often.
  constexpr ModuleWait kFirstPause{10};
  constexpr ModuleWait kLongestPause{200};
  const auto start = std::chrono::steady_clock::now();
  ModuleWait pause = kFirstPause;
  for (int reads = 1;; ++reads) {
    try {
      ModuleState m = read_module_once(dir, fix, texts);
      m.reads = reads;
      return m;
    } catch (const ModuleUnsettled& e) {
      const auto waited =
          std::chrono::duration_cast<ModuleWait>(std::chrono::steady_clock::now() - start);
      if (waited >= wait) {
        throw still_unsettled(e, wait);
      }
      std::this_thread::sleep_for(std::min(pause, wait - waited));
      pause = std::min(pause * 2, kLongestPause);
    }
  }
}

namespace {

Observation from_module(ModuleState m, std::string origin) {
  Observation o;
  o.kind = SourceKind::kModule;
  o.origin = std::move(origin);
  o.topology = m.snapshot.topology;
  o.module = std::move(m);
  return o;
}

}  // namespace

Observation observe_live(ModuleWait wait) {
  // /sys/module/zonelens is world-readable, so "is the module loaded" does not depend on the
  // permissions of debugfs: loaded means the module is the source, and its errors are reported.
  if (path_exists(fs::path("/sys/module") / kModuleName)) {
    return from_module(read_module(std::nullopt, wait), "live");
  }
  Observation o;
  o.kind = SourceKind::kSysfs;
  o.origin = "live";
  o.topology = assemble(read_sysfs("/", read_text_file, kLiveFixes, true), "live");
  if (struct utsname u{}; o.topology.arch.empty() && ::uname(&u) == 0) {
    o.topology.arch = u.machine;  // before 5.19 the running kernel has no kernel.arch sysctl
  }
  return o;
}

Observation observe_root(const fs::path& root, ModuleWait wait) {
  require_root_dir(root);
  if (path_exists(module_dir(root))) {
    Observation o = from_module(read_module(root, wait), "root " + root.string());
    // a module before format 5 names no architecture; the captured sysctl may
    if (const fs::path arch = root / kArchSysctl; o.topology.arch.empty() && path_exists(arch)) {
      o.topology.arch = first_line(read_text_file(arch, "recapture the file"));
    }
    return o;
  }
  Observation o;
  o.kind = SourceKind::kSysfs;
  o.origin = "root " + root.string();
  o.topology =
      assemble(read_sysfs(root, read_text_file, kRootFixes, true, true), root.string(), &o.notes);
  return o;
}

Topology read_root_topology(const fs::path& root, const FileReader& read_file) {
  return assemble(read_sysfs(root, read_file, kRootFixes, false), root.string());
}

Observation observe_topology_file(const fs::path& file) {
  Observation o;
  o.kind = SourceKind::kTopologyFile;
  o.origin = "topology " + file.string();
  o.topology = parse_topology_json(
      read_text_file(file, "pass an existing topology file (docs/topology-file.md)"),
      file.string());
  return o;
}

std::vector<ZoneinfoZone> parse_zoneinfo(std::string_view text, const std::string& file) {
  std::vector<ZoneinfoZone> out;
  io_detail::LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> tok;
  tok.reserve(8);
  int seen = 0;  // bit 0 spanned, 1 present, 2 managed of the current block
  auto close_block = [&]() {
    if (!out.empty() && seen != 7) {
      throw InputError(file + ": zone " + out.back().zone.name + " of node " +
                       std::to_string(out.back().node) +
                       " lacks spanned/present/managed: recapture /proc/zoneinfo");
    }
  };
  while (lines.next(line)) {
    if (line.starts_with("Node ")) {
      io_detail::split_blanks(line, tok);
      // "Node 0, zone      DMA"
      if (tok.size() != 4 || tok[2] != "zone" || !tok[1].ends_with(',')) {
        throw InputError(file + ": line " + std::to_string(lines.number()) +
                         " is not 'Node N, zone NAME': recapture /proc/zoneinfo");
      }
      const auto nid = io_detail::to_number<int>(tok[1].substr(0, tok[1].size() - 1));
      if (!nid || *nid >= kMaxNumnodes || (!out.empty() && out.back().node > *nid)) {
        throw InputError(file + ": line " + std::to_string(lines.number()) +
                         " has a bad node id (below 1024, ascending): recapture /proc/zoneinfo");
      }
      close_block();
      seen = 0;
      int index = 0;
      if (!out.empty() && out.back().node == *nid) {
        index = out.back().zone.index + 1;
      }
      ZoneinfoZone z;
      z.node = *nid;
      z.zone.index = index;
      z.zone.name = std::string(tok[3]);
      out.push_back(std::move(z));
      continue;
    }
    if (out.empty() || line.size() < 10 || line[0] != ' ') {
      continue;
    }
    // "        spanned  4095": cheap prefix test before tokenizing.
    const std::size_t first = line.find_first_not_of(' ');
    if (first == std::string_view::npos) {
      continue;
    }
    const std::string_view rest = line.substr(first);
    int bit = -1;
    std::uint64_t* dst = nullptr;
    if (rest.starts_with("spanned ")) {
      bit = 0;
      dst = &out.back().zone.spanned;
    } else if (rest.starts_with("present ")) {
      bit = 1;
      dst = &out.back().zone.present;
    } else if (rest.starts_with("managed ")) {
      bit = 2;
      dst = &out.back().zone.managed;
    } else {
      continue;
    }
    const auto v = io_detail::to_number<std::uint64_t>(io_detail::trim(rest.substr(8)));
    if (!v || *v > kMaxPages || (seen & (1 << bit)) != 0) {
      throw InputError(file + ": line " + std::to_string(lines.number()) +
                       " has a bad or repeated page count (at most 2^40 pages, once per zone): "
                       "recapture /proc/zoneinfo");
    }
    *dst = *v;
    seen |= 1 << bit;
  }
  close_block();
  if (out.empty()) {
    throw InputError(file +
                     ": no 'Node N, zone NAME' block, but every kernel prints its zones there: "
                     "recapture /proc/zoneinfo");
  }
  return out;
}

std::string_view without_capture_nul(std::string_view text) {
  if (text.size() >= 2 && text.ends_with(std::string_view("\n\0", 2))) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::uint64_t> parse_node_memtotal(std::string_view meminfo) {
  io_detail::LineReader lines(meminfo);
  std::string_view line;
  std::vector<std::string_view> tok;
  while (lines.next(line)) {
    io_detail::split_blanks(line, tok);
    // "Node 0 MemTotal: 32856240 kB"
    if (tok.size() == 5 && tok[0] == "Node" && tok[2] == "MemTotal:" && tok[4] == "kB") {
      return io_detail::to_number<std::uint64_t>(tok[3]);
    }
  }
  return std::nullopt;
}

std::optional<std::vector<int>> parse_cpumap(std::string_view text, int limit) {
  text = io_detail::trim(text);
  std::vector<std::string_view> groups;
  while (true) {
    const std::size_t comma = text.find(',');
    groups.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  std::vector<int> cpus;
  constexpr int kGroupBits = 32;
  // The last group holds CPUs 0..31.
  for (std::size_t g = groups.size(); g-- > 0;) {
    const auto word = groups[g].size() <= 8 && !groups[g].empty()
                          ? io_detail::to_number<std::uint32_t>(groups[g], 16)
                          : std::nullopt;
    if (!word) {
      return std::nullopt;
    }
    const int base = static_cast<int>(groups.size() - 1 - g) * kGroupBits;
    for (int bit = 0; bit < kGroupBits; ++bit) {
      if ((*word & (std::uint32_t{1} << static_cast<unsigned>(bit))) != 0) {
        if (base + bit >= limit) {
          return std::nullopt;
        }
        cpus.push_back(base + bit);
      }
    }
  }
  return cpus;
}

std::string release_of_proc_version(std::string_view version) {
  constexpr std::string_view kPrefix = "Linux version ";
  if (!version.starts_with(kPrefix)) {
    return {};
  }
  version.remove_prefix(kPrefix.size());
  return std::string(version.substr(0, version.find_first_of(" \t\n")));
}

bool is_root_archive(const fs::path& path) {
  const std::string name = path.filename().string();
  constexpr std::array<std::string_view, 5> kExtensions{".tar", ".tar.gz", ".tgz", ".tar.bz2",
                                                        ".tar.xz"};
  return std::ranges::any_of(kExtensions, [&name](std::string_view ext) {
    return name.size() > ext.size() && name.ends_with(ext);
  });
}

bool unsafe_member(std::string_view name) {
  if (name.starts_with('/')) {
    return true;
  }
  while (!name.empty()) {
    const std::size_t slash = name.find('/');
    if (name.substr(0, slash) == "..") {
      return true;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    name.remove_prefix(slash + 1);
  }
  return false;
}

fs::path find_capture_root(const fs::path& dir, const std::string& archive) {
  constexpr std::string_view kNodes = "sys/devices/system/node";
  if (path_exists(dir / kNodes)) {
    return dir;
  }
  std::vector<fs::path> tops;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec)) {
      tops.push_back(it->path());
    }
  }
  if (tops.size() == 1 && path_exists(tops.front() / kNodes)) {
    return tops.front();
  }
  throw InputError(archive +
                   ": neither the archive's top nor its one top-level directory holds "
                   "sys/devices/system/node: pass an hwloc-gather-topology or zonelens capture "
                   "archive");
}

namespace {

// Runs argv (no shell); its stdout when `out`, stderr discarded. The exit status, -1 when it did
// not run.
int run_tool(const std::vector<std::string>& args, std::string* out) {
  std::array<int, 2> pipefd{-1, -1};
  if (::pipe2(pipefd.data(), O_CLOEXEC) != 0) {
    return -1;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    return -1;
  }
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(out != nullptr ? pipefd[1] : devnull, STDOUT_FILENO);
    ::dup2(devnull, STDERR_FILENO);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args) {
      argv.push_back(
          const_cast<char*>(a.c_str()));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
    }
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  std::array<char, 65536> buf{};
  ssize_t n = 0;
  while ((n = ::read(pipefd[0], buf.data(), buf.size())) != 0) {
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (out != nullptr) {
      out->append(buf.data(), static_cast<std::size_t>(n));
    }
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Makes every directory of an unpacked tree writable, so that it can be removed.
void make_removable(const fs::path& dir) {
  std::error_code ec;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
  }
}

}  // namespace

UnpackedRoot::UnpackedRoot(const fs::path& archive) {
  const std::string name = archive.string();
  std::string listing;
  if (run_tool({"tar", "-tf", name}, &listing) != 0) {
    throw InputError(name +
                     ": 'tar -tf' cannot list it: pass a .tar, .tar.gz, .tar.bz2 or .tar.xz "
                     "archive that the system's tar reads (or unpack it and pass the "
                     "directory)");
  }
  io_detail::LineReader lines(listing);
  std::string_view member;
  while (lines.next(member)) {
    if (unsafe_member(member)) {
      throw InputError(name + ": member '" + std::string(member.substr(0, 80)) +
                       "' is absolute or has a '..' component: unpack the archive yourself after "
                       "checking it, and pass the directory");
    }
  }
  std::string tmpl = (fs::temp_directory_path() / "zonelens-root.XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw InputError(tmpl + ": cannot create a temporary directory (" + std::strerror(errno) +
                     "): set TMPDIR to a writable directory");
  }
  dir_ = tmpl;
  try {
    if (run_tool({"tar", "-xf", name, "-C", dir_.string(), "--no-same-owner"}, nullptr) != 0) {
      throw InputError(name + ": 'tar -xf' failed to unpack it: check the archive (tar -tf)");
    }
    make_removable(dir_);
    root_ = find_capture_root(dir_, name);
  } catch (...) {
    make_removable(dir_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
}

UnpackedRoot::~UnpackedRoot() {
  make_removable(dir_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

}  // namespace zonelens
