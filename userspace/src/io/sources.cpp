// SPDX-License-Identifier: GPL-2.0-or-later
// Topology sources: the module's debugfs files, and sysfs + /proc read by one reader for the
// running machine (root "/") and for a captured root.
#include "zonelens/sources.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
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
                     " is not a directory: pass a captured root directory to --root (unpack a "
                     ".tar.gz capture first)");
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

Topology assemble(SysfsData d, const std::string& origin) {
  Topology topo;
  topo.kernel_release = std::move(d.release);
  topo.arch = std::move(d.arch);
  if (d.states.possible.empty()) {
    throw InputError(origin + ": no possible node: check the captured node directory");
  }
  topo.nr_node_ids = d.states.possible.back() + 1;
  const auto zones = parse_zoneinfo(d.zoneinfo, d.zoneinfo_file);
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

// `parallel`: read_file may run in two threads at once (read_text_file may; the fuzzer's
// in-memory reader is not asked to).
SysfsData read_sysfs(const fs::path& root, const FileReader& read_file, const SysfsFixes& fixes,
                     bool parallel) {
  SysfsData d;
  d.fix = fixes.invariant;
  const fs::path nodes = root / "sys/devices/system/node";
  const std::string bad_fix(fixes.bad_file);
  auto parsed_list = [&](const fs::path& file, const std::string& text, int limit) {
    auto ids = parse_id_list(text, limit);
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
  d.states.possible = states(nodes / "possible");
  d.states.online = states(nodes / "online");
  d.states.memory = list(nodes / "has_memory", kMaxNumnodes);
  d.states.normal_memory = list(nodes / "has_normal_memory", kMaxNumnodes);
  d.states.cpu = list(nodes / "has_cpu", kMaxNumnodes);
  const std::size_t n_online = d.states.online.size();
  // Node i's cpulist and distance row (row i of d.distances).
  // With read_text_file, the node files are opened relative to the node directory: the kernel
  // walks two path components per file instead of the whole path (4,096 files at 1024 nodes).
  const DirFd nodes_dir(parallel ? ::open(nodes.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC) : -1);
  const auto read_node = [&](std::size_t i) {
    const std::string name = "node" + std::to_string(d.states.online[i]);
    std::string text;
    if (nodes_dir.get() >= 0) {
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
  d.zoneinfo_file = (root / "proc/zoneinfo").string();
  d.zoneinfo = read_file(d.zoneinfo_file, fixes.missing_zoneinfo);
  d.release = first_line(read_file(root / "proc/sys/kernel/osrelease", fixes.missing_osrelease));
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
  o.topology = assemble(read_sysfs(root, read_text_file, kRootFixes, true), root.string());
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

}  // namespace zonelens
