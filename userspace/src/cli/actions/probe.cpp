// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens probe: allocate memory preferring one node and watch which zones the pages land in, in
// which order, against the live FALLBACK list (module) or the model's (docs/probe.md). The
// allocating is done by zonelens-probe-helper, the one program that links libnuma.
#include "zonelens/probe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "zonelens/cli.hpp"
#include "zonelens/context.hpp"
#include "zonelens/error.hpp"
#include "zonelens/report/probe.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): posix_spawn's environment

namespace zonelens::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The share of MemTotal above which the probe refuses without --yes.
constexpr double kShareWithoutYes = 0.25;
// The node ids libnuma 2.0.16's constructor handles (one bit each in a 128-bit nodemask_t v1).
constexpr NodeId kLibnumaMaxNodes = 128;
constexpr const char* kHelperName = "zonelens-probe-helper";

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  opts.add_options()("node", po::value<int>()->value_name("N"),
                     "the node whose FALLBACK list is probed (required; it must have memory)");
  opts.add_options()("max-mb", po::value<double>()->value_name("MB"),
                     "allocate at most MB MiB (default: what the plan needs to reach the last "
                     "reachable position)");
  opts.add_options()("chunk-mb", po::value<double>()->value_name("MB")->default_value(4.0),
                     "allocate and locate this much at a time");
  opts.add_options()("timeout", po::value<double>()->value_name("SECONDS")->default_value(300.0),
                     "stop after this long");
  opts.add_options()("yes", po::bool_switch(),
                     "go ahead when the plan takes more than a quarter of the machine's RAM");
  opts.add_options()("allow-zone-reclaim", po::bool_switch(),
                     "probe even when vm.zone_reclaim_mode is not 0 (reclaim then comes before "
                     "fallback; the report says so)");
  add_wait_option(opts);
  add_json_option(opts);
}

// ---- the helper ----
fs::path helper_path() {
  if (const char* env = std::getenv("ZONELENS_PROBE_HELPER"); env != nullptr && *env != 0) {
    return env;
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = self.parent_path() / kHelperName;
    if (fs::exists(beside)) {
      return beside;
    }
    fs::path libexec = self.parent_path().parent_path() / "libexec" / "zonelens" / kHelperName;
    if (fs::exists(libexec)) {
      return libexec;
    }
  }
  throw InputError(std::string(kHelperName) +
                   " not found beside zonelens nor in ../libexec/zonelens: install it with "
                   "zonelens, or name it in ZONELENS_PROBE_HELPER");
}

class Helper {
 public:
  explicit Helper(const fs::path& path) {
    std::array<int, 2> to{};
    std::array<int, 2> from{};
    if (pipe2(to.data(), O_CLOEXEC) != 0 || pipe2(from.data(), O_CLOEXEC) != 0) {
      throw InputError(std::string("pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from[1], 1);
    const std::string p = path.string();
    std::array<char*, 2> argv{const_cast<char*>(p.c_str()), nullptr};  // NOLINT
    const int rc = posix_spawn(&pid_, p.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(to[0]);
    close(from[1]);
    in_ = to[1];
    out_ = from[0];
    if (rc != 0) {
      pid_ = -1;
      throw InputError(p + " could not be started: " + std::strerror(rc));
    }
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;
  Helper(Helper&&) = delete;
  Helper& operator=(Helper&&) = delete;
  // Closing its stdin ends it; a kill makes sure. The kernel frees its memory at its exit.
  ~Helper() {
    close(in_);
    close(out_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
  }

  void send(const std::string& line) const {
    const std::string l = line + "\n";
    if (write(in_, l.data(), l.size()) != static_cast<ssize_t>(l.size())) {
      throw InputError(std::string(kHelperName) +
                       " stopped taking commands: " + std::strerror(errno));
    }
  }
  // Lines up to the one starting "ok " (returned last); InputError on "error ..." or EOF, and a
  // TimedOut at `deadline`.
  // An InputError too: before the first chunk it ends the command with exit 2.
  struct TimedOut : InputError {
    TimedOut()
        : InputError(std::string("--timeout ran out while waiting for ") + kHelperName +
                     ": give it more time with --timeout SECONDS") {}
  };
  std::vector<std::string> answer(Clock::time_point deadline) {
    std::vector<std::string> lines;
    for (;;) {
      const auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (l.starts_with("error ")) {
          throw InputError(std::string(kHelperName) + ": " + l.substr(6));
        }
        const bool last = l.starts_with("ok ");
        lines.push_back(std::move(l));
        if (last) {
          return lines;
        }
        continue;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        throw TimedOut{};
      }
      pollfd pfd{.fd = out_, .events = POLLIN, .revents = 0};
      const int pr = poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 60000)));
      if (pr < 0 && errno == EINTR) {
        continue;
      }
      if (pr <= 0) {
        continue;
      }
      std::array<char, 65536> b{};
      const ssize_t n = read(out_, b.data(), b.size());
      if (n <= 0) {
        throw InputError(std::string(kHelperName) + " ended unexpectedly" +
                         (buf_.empty() ? "" : ": " + buf_));
      }
      buf_.append(b.data(), static_cast<std::size_t>(n));
    }
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string buf_;
};

// ---- the machine ----
std::uint64_t meminfo_kb(const std::string& text, std::string_view key) {
  std::istringstream in(text);
  std::string k;
  std::uint64_t v = 0;
  std::string unit;
  while (in >> k >> v) {
    std::getline(in, unit);
    if (k.size() == key.size() + 1 && k.starts_with(key) && k.back() == ':') {
      return v;
    }
  }
  return 0;
}

struct Expected {
  bool from_module = true;
  Topology topology;
  std::optional<ContextCandidate> context;
  Zonelist list;
};

Expected expected_list(const po::variables_map& vm, NodeId node) {
  Expected e;
  if (fs::exists(module_dir(std::nullopt))) {
    ModuleState m = read_module(std::nullopt, module_wait(vm));
    e.topology = std::move(m.snapshot.topology);
    for (const NodeZonelists& nz : m.snapshot.zonelists) {
      if (nz.node == node) {
        e.list = nz.fallback;
      }
    }
    return e;
  }
  e.from_module = false;
  Observation o = observe_live(module_wait(vm));
  KernelChoice k = kernel_choice(vm, o.topology);
  apply_zonelist_order(vm, o.topology, k);
  const ContextCandidate c = default_context();
  e.context = c;
  for (const NodeZonelists& nz : predict_candidate(o.topology, k.rules, c).nodes) {
    if (nz.node == node) {
      e.list = nz.fallback;
    }
  }
  e.topology = std::move(o.topology);
  return e;
}

// The kswapd thread of every node ("kswapdN"), by node id.
std::vector<std::pair<NodeId, pid_t>> kswapd_threads() {
  std::vector<std::pair<NodeId, pid_t>> out;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator("/proc", ec)) {
    const std::string name = d.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream in(d.path() / "comm");
    std::string comm;
    if (std::getline(in, comm) && comm.starts_with("kswapd") && comm.size() > 6 &&
        comm.find_first_not_of("0123456789", 6) == std::string::npos) {
      out.emplace_back(std::stoi(comm.substr(6)), static_cast<pid_t>(std::stol(name)));
    }
  }
  return out;
}

// Every node's kswapd now: whether it is off its wait queue (state other than S) and the CPU time
// it has had (/proc/PID/schedstat, ns). A kswapd that is awake (or ran) between two samples was
// not asleep on kswapd_wait for some of that time.
struct KswapdSample {
  NodeId node = 0;
  bool awake = false;
  std::uint64_t cpu_ns = 0;
};
std::vector<KswapdSample> kswapd_sample(const std::vector<std::pair<NodeId, pid_t>>& threads) {
  std::vector<KswapdSample> out;
  for (const auto& t : threads) {
    KswapdSample k;
    k.node = t.first;
    const std::string dir = "/proc/" + std::to_string(t.second);
    std::ifstream in(dir + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto paren = stat.rfind(')');
    k.awake = paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'S';
    std::ifstream sched(dir + "/schedstat");
    sched >> k.cpu_ns;
    out.push_back(k);
  }
  return out;
}

// The nodes whose kswapd was awake at either sample or ran between them.
std::vector<NodeId> kswapd_ran(const std::vector<KswapdSample>& before,
                               const std::vector<KswapdSample>& after) {
  std::vector<NodeId> out;
  for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) {
    if (before[i].awake || after[i].awake || after[i].cpu_ns != before[i].cpu_ns) {
      out.push_back(before[i].node);
    }
  }
  return out;
}

std::vector<probe::ZoneState> read_zones() {
  return probe::parse_zoneinfo_state(read_text_file("/proc/zoneinfo", "mount /proc"),
                                     "/proc/zoneinfo");
}

int execute(const po::variables_map& vm) {
  if (vm.count("node") == 0) {
    throw UsageError("--node N is required");
  }
  const NodeId node = vm["node"].as<int>();
  const double chunk_mb = vm["chunk-mb"].as<double>();
  const double timeout = vm["timeout"].as<double>();
  if (!(chunk_mb >= 0.25 && chunk_mb <= 1024) || !(timeout > 0 && timeout <= 86400)) {
    throw UsageError("--chunk-mb must be 0.25 to 1024 and --timeout 0 to 86400 seconds");
  }
  if (geteuid() != 0) {
    throw InputError(
        "zonelens probe needs root: the PFNs in /proc/self/pagemap are shown to CAP_SYS_ADMIN only "
        "(run it with sudo, on a test machine)");
  }
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::milliseconds(static_cast<long long>(timeout * 1000));

  Expected e = expected_list(vm, node);
  // libnuma 2.0.16 (Debian 12) sets a bit per configured node in a 128-bit mask in its
  // constructor: the helper would corrupt its own memory before main(). Refuse instead.
  for (const Node& x : e.topology.nodes) {
    if (x.online && x.id >= kLibnumaMaxNodes) {
      throw InputError("node " + std::to_string(x.id) +
                       " is online: the probe's helper links libnuma, whose 2.0.16 constructor "
                       "corrupts memory when a node id is 128 or more; probe a machine with fewer "
                       "nodes (the other zonelens commands do not use libnuma)");
    }
  }
  const Node* n = e.topology.find(node);
  if (n == nullptr || !n->online) {
    throw InputError("node " + std::to_string(node) +
                     " is not online: probe a node listed in /sys/devices/system/node/online");
  }
  if (!n->memory || e.list.empty()) {
    throw InputError("node " + std::to_string(node) +
                     " has no memory: MPOL_PREFERRED cannot name a memoryless node (set_mempolicy "
                     "keeps only N_MEMORY nodes); probe a node with memory");
  }
  const std::string reclaim_text = fs::exists("/proc/sys/vm/zone_reclaim_mode")
                                       ? read_text_file("/proc/sys/vm/zone_reclaim_mode", "")
                                       : "0";
  report::ProbeReport r;
  r.node = node;
  r.from_module = e.from_module;
  r.context = e.context;
  r.kernel_release = e.topology.kernel_release;
  r.zone_reclaim_mode = std::atoi(reclaim_text.c_str());
  if (r.zone_reclaim_mode != 0 && !vm["allow-zone-reclaim"].as<bool>()) {
    throw InputError("vm.zone_reclaim_mode is " + std::to_string(r.zone_reclaim_mode) +
                     ": the allocator reclaims on a node before it falls back, so the order is not "
                     "observable; set it to 0 or pass --allow-zone-reclaim");
  }
  const std::string meminfo = read_text_file("/proc/meminfo", "mount /proc");
  const std::uint64_t mem_total_kb = meminfo_kb(meminfo, "MemTotal");
  r.swap_total_kb = meminfo_kb(meminfo, "SwapTotal");
  const std::uint64_t cache = meminfo_kb(meminfo, "Cached") + meminfo_kb(meminfo, "Buffers");
  const std::uint64_t shmem = meminfo_kb(meminfo, "Shmem");
  r.page_cache_kb = cache > shmem ? cache - shmem : 0;
  r.page_size = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  r.timeout_seconds = timeout;

  Helper helper(helper_path());
  helper.answer(deadline);  // "ok ready PID"
  helper.send("info");
  std::vector<NodeId> with_memory;
  for (const Node& x : e.topology.nodes) {
    if (x.memory) {
      with_memory.push_back(x.id);
    }
  }
  for (const std::string& l : helper.answer(deadline)) {
    std::istringstream in(l);
    std::string what;
    in >> what;
    if (what == "allowed") {
      NodeId a = 0;
      while (in >> a) {
        r.mems_allowed.push_back(a);
      }
    } else if (what == "size") {
      ++r.libnuma_nodes;
    } else if (what == "distance") {
      report::ProbeDistance d;
      in >> d.from >> d.to >> d.libnuma;
      d.sysfs = e.topology.distance.at(d.from, d.to);
      ++r.distances_compared;
      if (d.sysfs != d.libnuma) {
        r.distance_mismatches.push_back(d);
      }
    }
  }
  r.mems_restricted = std::any_of(with_memory.begin(), with_memory.end(), [&](NodeId x) {
    return std::find(r.mems_allowed.begin(), r.mems_allowed.end(), x) == r.mems_allowed.end();
  });
  if (std::find(r.mems_allowed.begin(), r.mems_allowed.end(), node) == r.mems_allowed.end()) {
    throw InputError("node " + std::to_string(node) +
                     " is not in this process's mems_allowed (a cpuset excludes it): run the probe "
                     "in a cpuset that allows it");
  }

  const auto chunk_pages = static_cast<std::uint64_t>(chunk_mb * 1024 * 1024) / r.page_size;
  std::vector<probe::ZoneState> zones = read_zones();
  r.plan = probe::make_plan(node, e.list, zones, r.mems_allowed, chunk_pages);
  if (!r.plan.last) {
    throw InputError("no zone of node " + std::to_string(node) +
                     "'s FALLBACK list has free pages above its low watermark plus lowmem_reserve: "
                     "nothing can be observed safely; free some memory first");
  }
  r.max_pages = r.plan.budget_pages;
  if (vm.count("max-mb") != 0) {
    const double mb = vm["max-mb"].as<double>();
    if (!(mb > 0)) {
      throw UsageError("--max-mb must be positive");
    }
    r.max_pages = std::min(r.max_pages, static_cast<std::uint64_t>(mb * 1024 * 1024) / r.page_size);
  }
  const double share =
      static_cast<double>(r.max_pages * r.page_size) / (static_cast<double>(mem_total_kb) * 1024.0);
  if (share > kShareWithoutYes && !vm["yes"].as<bool>()) {
    throw InputError("the probe would allocate up to " +
                     std::to_string(r.max_pages * r.page_size >> 20U) + " MiB, " +
                     std::to_string(static_cast<int>(share * 100)) +
                     "% of this machine's RAM: pass --yes on a test machine, or bound it with "
                     "--max-mb (positions beyond the budget are then reported unreached)");
  }

  helper.send("prefer " + std::to_string(node));
  helper.answer(deadline);

  const ZoneRef last = r.plan.positions[*r.plan.last].ref;
  const std::size_t npos = r.plan.positions.size();
  std::vector<probe::Unreached> passed(npos, probe::Unreached::kReached);
  int major = 0;
  int minor = 0;
  if (std::sscanf(r.kernel_release.c_str(), "%d.%d", &major, &minor) != 2) {
    major = 0;
  }
  const bool kswapd_rule = probe::kernel_skips_kswapd_nodes(major, minor);
  const auto kswapds = kswapd_rule ? kswapd_threads() : std::vector<std::pair<NodeId, pid_t>>{};
  probe::FirstAppearance seen;
  r.stop = probe::Unreached::kStoppedBefore;
  try {
    for (;;) {
      if (seen.seen(last)) {
        r.stop = probe::Unreached::kStoppedBefore;
        break;
      }
      if (r.allocated_pages + chunk_pages > r.max_pages) {
        r.stop = probe::Unreached::kBudget;
        break;
      }
      if (Clock::now() >= deadline) {
        r.stop = probe::Unreached::kTimeout;
        break;
      }
      zones = read_zones();
      // The positions not yet passed must together keep two chunks above their marks.
      std::size_t first_open = 0;
      for (std::size_t i = 0; i < npos; ++i) {
        if (seen.seen(r.plan.positions[i].ref)) {
          first_open = i;
        }
      }
      std::uint64_t room = 0;
      std::vector<bool> near(npos, false);
      for (std::size_t i = 0; i < npos; ++i) {
        const probe::ZoneState* z = probe::find_zone(zones, r.plan.positions[i].ref);
        const std::uint64_t h = z != nullptr ? z->headroom(r.plan.highest_zoneidx) : 0;
        near[i] = h <= chunk_pages;
        if (i >= first_open && i <= *r.plan.last &&
            r.plan.positions[i].why_not == probe::Unreached::kReached) {
          room += h;
        }
      }
      if (room < 2 * chunk_pages) {
        r.stop = probe::Unreached::kMargin;
        break;
      }
      const std::vector<KswapdSample> kswapd_before = kswapd_sample(kswapds);
      helper.send("alloc " + std::to_string(chunk_pages));
      const std::size_t before = seen.order().size();
      for (const std::string& l : helper.answer(deadline)) {
        if (!l.starts_with("run ")) {
          continue;
        }
        std::istringstream in(l.substr(4));
        int rnode = 0;
        std::uint64_t pfn = 0;
        std::uint64_t count = 0;
        in >> rnode >> pfn >> count;
        while (count > 0) {
          const probe::ZoneState* z = probe::zone_of_pfn(zones, pfn);
          if (z == nullptr) {
            r.unmapped_pages += count;
            break;
          }
          const std::uint64_t in_zone = std::min(count, *z->start_pfn + z->spanned - pfn);
          if (z->node != rnode) {
            r.misplaced_pages += in_zone;
          }
          seen.add({.node = z->node, .zone_index = z->index}, in_zone, r.chunks);
          pfn += in_zone;
          count -= in_zone;
        }
      }
      r.allocated_pages += chunk_pages;
      ++r.chunks;
      if (seen.order().size() != before) {
        // positions passed over in this chunk: at their mark, or (kswapd_rule) on a node whose
        // kswapd was awake before or after it or ran during it
        const std::vector<NodeId> running = kswapd_ran(kswapd_before, kswapd_sample(kswapds));
        for (std::size_t i = 0; i < npos; ++i) {
          const NodeId nid = r.plan.positions[i].ref.node;
          if (near[i]) {
            passed[i] = probe::Unreached::kProtected;
          } else if (passed[i] == probe::Unreached::kReached &&
                     std::find(running.begin(), running.end(), nid) != running.end()) {
            passed[i] = probe::Unreached::kKswapd;
          }
        }
      }
    }
  } catch (const Helper::TimedOut&) {
    r.stop = probe::Unreached::kTimeout;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.observed = seen.order();
  r.verdict = probe::compare_order(r.plan, r.observed, passed, r.stop);
  return print_report(vm, r, r.verdict.agree ? kExitOk : kExitMismatch);
}

const Action kAction{"probe",
                     "allocate memory preferring a node (root, test machines) and compare where "
                     "it lands with the FALLBACK list; exit 0 agree, 1 disagree, 2 error",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
