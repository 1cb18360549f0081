// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens against its I/O floor, in one run, at 8, 64, 256 and 1024 nodes (benchmarks/README.md):
//   Root/N          `zonelens predict --root R --context runtime --json` as a child process
//   RootText/N      the same without --json (what the JSON rendering adds is Root - RootText)
//   RootFloor/N     a child that only reads every file of R once and writes as many bytes as Root
//   WriteFloor/N    a child that only writes as many bytes as Root (the floor of the rendering)
//   Snapshot/N      read + parse_snapshot of a format-3 module snapshot of that machine
//   Snapshot2/N     the same snapshot in format 2 (distance triples)
//   SnapshotFloor/N reading the format-3 file only
// Child processes report their peak RSS (wait4) as the counter peak_rss_MiB. The synthetic roots
// come from tests/fixtures/make_root.py (synthetic N) into $TMPDIR/zonelens-bench-N; the
// snapshots are written from the root's topology and the model's runtime prediction.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"
#include "zonelens/sources.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, for posix_spawn

namespace zonelens {
namespace {

namespace fs = std::filesystem;

const char* g_self = nullptr;  // argv[0], for the floor children

struct Machine {
  fs::path root;
  std::vector<fs::path> files;  // every regular file of the root
  std::size_t json_bytes = 0;   // what Root writes
  std::string snapshot3;        // the module snapshot of the machine, format 3 and format 2
  std::string snapshot2;
  fs::path snapshot3_file;
  fs::path snapshot2_file;
};

// The result of one child process.
struct ChildRun {
  std::size_t bytes_out = 0;
  long peak_rss_kib = 0;
  double cpu_s = 0;  // user + system time of the child
};

// Runs argv with stdout to a pipe (counted, discarded) and stderr to /dev/null.
ChildRun run_child(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  }
  argv.push_back(nullptr);
  std::array<int, 2> out{};
  if (::pipe2(out.data(), O_CLOEXEC) != 0) {
    std::perror("pipe2");
    std::exit(1);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
    std::perror(argv[0]);
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ChildRun r;
  std::vector<char> buf(1U << 16U);
  for (;;) {
    const ssize_t n = ::read(out[0], buf.data(), buf.size());
    if (n <= 0) {
      break;
    }
    r.bytes_out += static_cast<std::size_t>(n);
  }
  ::close(out[0]);
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_io: %s exited with %d\n", args[0].c_str(), status);
    std::exit(1);
  }
  r.peak_rss_kib = ru.ru_maxrss;
  r.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            (static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
  return r;
}

// --peak-rss CMD...: runs CMD (stdout to /dev/null) and prints its peak RSS in KiB. A child's
// ru_maxrss counts the memory of the process it was spawned from (posix_spawn shares the
// parent's mm until exec), so the benchmarks measure it from this small process instead.
int peak_rss_main(char** argv) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv, environ) != 0) {
    return 1;
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  std::printf("%ld\n", ru.ru_maxrss);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

// The I/O floor child: read every file listed in FILE-LIST once, then write BYTES bytes.
int io_floor_main(const char* list, const char* bytes_text) {
  std::vector<char> buf(1U << 16U);
  if (list[0] != '\0') {
    std::ifstream in(list);
    std::string path;
    while (std::getline(in, path)) {
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        return 1;
      }
      while (::read(fd, buf.data(), buf.size()) > 0) {
      }
      ::close(fd);
    }
  }
  std::size_t left = std::strtoull(bytes_text, nullptr, 10);
  std::fill(buf.begin(), buf.end(), 'x');
  while (left > 0) {
    const std::size_t n = std::min(left, buf.size());
    if (::write(STDOUT_FILENO, buf.data(), n) != static_cast<ssize_t>(n)) {
      return 1;
    }
    left -= n;
  }
  return 0;
}

std::string join_ids(int n) { return n == 1 ? "0" : "0-" + std::to_string(n - 1); }

// The module's snapshot of a machine read from a root, its zonelists as the model predicts them.
std::string render_snapshot(const Topology& t, int format) {
  RebuildContext ctx;
  ctx.kind = RebuildKind::kRuntime;
  const auto v = parse_kernel_release(t.kernel_release);
  const Prediction p = predict(t, rules_for(*v), ctx);
  const int n = t.nr_node_ids;
  std::string s;
  s.reserve(static_cast<std::size_t>(n) * n * 16);
  s += "zonelens-format " + std::to_string(format) + "\nmodule_version 0.1.0\nkernel_release " +
       t.kernel_release + "\nnr_node_ids " + std::to_string(n) +
       "\nmax_numnodes 1024\nmax_nr_zones " + std::to_string(t.zone_names.size()) +
       "\nnr_cpu_ids " + std::to_string(2 * n) + "\nzone_names";
  for (const auto& z : t.zone_names) {
    s += " " + z;
  }
  s += "\nstable 1\npasses 2\n";
  for (const char* st : {"possible", "online", "memory", "normal_memory", "cpu"}) {
    s += std::string("node_states ") + st + " " + join_ids(n) + "\n";
  }
  for (const auto& node : t.nodes) {
    s += "cpumask " + std::to_string(node.id) + " " + std::to_string(node.cpus.front()) + "-" +
         std::to_string(node.cpus.back()) + "\n";
  }
  for (int a = 0; a < n; ++a) {
    if (format >= 3) {
      s += "distance " + std::to_string(a);
      for (int b = 0; b < n; ++b) {
        s += " " + std::to_string(t.distance.at(a, b));
      }
      s += "\n";
    } else {
      for (int b = 0; b < n; ++b) {
        s += "distance " + std::to_string(a) + " " + std::to_string(b) + " " +
             std::to_string(t.distance.at(a, b)) + "\n";
      }
    }
  }
  for (const auto& node : t.nodes) {
    for (std::size_t i = 0; i < t.zone_names.size(); ++i) {
      std::uint64_t pages = 0;
      for (const auto& z : node.zones) {
        pages = z.index == static_cast<int>(i) ? z.present : pages;
      }
      s += "zone " + std::to_string(node.id) + " " + std::to_string(i) + " " + t.zone_names[i] +
           " present " + std::to_string(pages) + " managed " + std::to_string(pages) + " spanned " +
           std::to_string(pages) + "\n";
    }
  }
  LiveZonelists lists;
  for (const auto& nz : p.nodes) {
    for (int list = 0; list < 2; ++list) {
      const Zonelist& zl = list == 0 ? nz.fallback : nz.nofallback;
      s += "zonelist " + std::to_string(nz.node) + (list == 0 ? " fallback" : " nofallback");
      for (const auto& ref : zl) {
        s += " " + std::to_string(ref.node) + ":" + t.zone_names[ref.zone_index];
      }
      s += zl.empty() ? " -\n" : "\n";
    }
    lists.push_back(nz);
  }
  s += "fingerprint " + format_fingerprint(zonelist_fingerprint(lists)) + "\ngeneration 0\n";
  s += "events first_seq 0 last_seq 0 dropped 0 lost 0 capacity 256\nend\n";
  return s;
}

Machine& machine(int n) {
  static std::map<int, Machine> machines;
  auto it = machines.find(n);
  if (it != machines.end()) {
    return it->second;
  }
  Machine m;
  const char* tmp = std::getenv("TMPDIR");
  m.root = fs::path(tmp != nullptr ? tmp : "/tmp") / ("zonelens-bench-" + std::to_string(n));
  if (!fs::exists(m.root / "proc/zoneinfo")) {
    run_child({ZONELENS_PYTHON, ZONELENS_MAKE_ROOT, "synthetic", std::to_string(n), m.root});
  }
  for (const auto& e : fs::recursive_directory_iterator(m.root)) {
    if (e.is_regular_file() && e.path().parent_path().filename() != "bench") {
      m.files.push_back(e.path());
    }
  }
  std::sort(m.files.begin(), m.files.end());
  fs::create_directories(m.root / "bench");
  std::ofstream(m.root / "bench/files") << [&] {
    std::string list;
    for (const auto& f : m.files) {
      list += f.string() + "\n";
    }
    return list;
  }();
  const Topology t = read_root_topology(m.root, read_text_file);
  m.snapshot3 = render_snapshot(t, 3);
  m.snapshot2 = render_snapshot(t, 2);
  m.snapshot3_file = m.root / "bench/snapshot3";
  m.snapshot2_file = m.root / "bench/snapshot2";
  std::ofstream(m.snapshot3_file) << m.snapshot3;
  std::ofstream(m.snapshot2_file) << m.snapshot2;
  m.json_bytes =
      run_child({ZONELENS_BIN, "predict", "--root", m.root, "--context", "runtime", "--json"})
          .bytes_out;
  return machines.emplace(n, std::move(m)).first->second;
}

// The child's CPU time per run (user + system, from wait4), which other load on the machine
// disturbs less than the wall time, and its peak RSS.
void report(benchmark::State& state, const ChildRun& r, double cpu_s, std::size_t files,
            std::vector<std::string> args) {
  state.counters["child_cpu_ms"] =
      benchmark::Counter(cpu_s * 1e3, benchmark::Counter::kAvgIterations);
  args.insert(args.begin(), {g_self, "--peak-rss"});
  std::vector<char*> argv;
  ChildRun rss;
  {
    // the peak RSS of one more run, measured from a small process
    std::array<int, 2> out{};
    if (::pipe2(out.data(), O_CLOEXEC) != 0) {
      std::exit(1);
    }
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
      std::exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    std::array<char, 64> text{};
    const ssize_t n = ::read(out[0], text.data(), text.size() - 1);
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    rss.peak_rss_kib = n > 0 ? std::strtol(text.data(), nullptr, 10) : -1;
  }
  state.counters["peak_rss_MiB"] = static_cast<double>(rss.peak_rss_kib) / 1024.0;
  state.counters["bytes_out"] = static_cast<double>(r.bytes_out);
  state.counters["files"] = static_cast<double>(files);
}

void BM_Root(benchmark::State& state) {
  const Machine& m = machine(static_cast<int>(state.range(0)));
  ChildRun r;
  double cpu = 0;
  for (auto _ : state) {
    r = run_child({ZONELENS_BIN, "predict", "--root", m.root, "--context", "runtime", "--json"});
    cpu += r.cpu_s;
  }
  report(state, r, cpu, m.files.size(),
         {ZONELENS_BIN, "predict", "--root", m.root, "--context", "runtime", "--json"});
}

void BM_RootText(benchmark::State& state) {
  const Machine& m = machine(static_cast<int>(state.range(0)));
  ChildRun r;
  double cpu = 0;
  for (auto _ : state) {
    r = run_child({ZONELENS_BIN, "predict", "--root", m.root, "--context", "runtime"});
    cpu += r.cpu_s;
  }
  report(state, r, cpu, m.files.size(),
         {ZONELENS_BIN, "predict", "--root", m.root, "--context", "runtime"});
}

void BM_RootFloor(benchmark::State& state) {
  const Machine& m = machine(static_cast<int>(state.range(0)));
  const std::string list = (m.root / "bench/files").string();
  ChildRun r;
  double cpu = 0;
  for (auto _ : state) {
    r = run_child({g_self, "--io-floor", list, std::to_string(m.json_bytes)});
    cpu += r.cpu_s;
  }
  report(state, r, cpu, m.files.size(), {g_self, "--io-floor", list, std::to_string(m.json_bytes)});
}

void BM_WriteFloor(benchmark::State& state) {
  const Machine& m = machine(static_cast<int>(state.range(0)));
  ChildRun r;
  double cpu = 0;
  for (auto _ : state) {
    r = run_child({g_self, "--io-floor", "", std::to_string(m.json_bytes)});
    cpu += r.cpu_s;
  }
  report(state, r, cpu, 0, {g_self, "--io-floor", "", std::to_string(m.json_bytes)});
}

void parse_file(benchmark::State& state, const fs::path& file) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse_snapshot(read_text_file(file, "run the benchmark again"), file));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(fs::file_size(file)));
}

void BM_Snapshot(benchmark::State& state) {
  parse_file(state, machine(static_cast<int>(state.range(0))).snapshot3_file);
}

void BM_Snapshot2(benchmark::State& state) {
  parse_file(state, machine(static_cast<int>(state.range(0))).snapshot2_file);
}

// Only reading the format-3 file, into one buffer of its size.
void BM_SnapshotFloor(benchmark::State& state) {
  const fs::path file = machine(static_cast<int>(state.range(0))).snapshot3_file;
  const std::size_t size = fs::file_size(file);
  for (auto _ : state) {
    std::string text(size, '\0');
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    std::size_t used = 0;
    ssize_t got = 0;
    while (used < size && (got = ::read(fd, text.data() + used, size - used)) > 0) {
      used += static_cast<std::size_t>(got);
    }
    ::close(fd);
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(size));
}

#define ZL_NODES ->Arg(8)->Arg(64)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_Root) ZL_NODES;
BENCHMARK(BM_RootText) ZL_NODES;
BENCHMARK(BM_RootFloor) ZL_NODES;
BENCHMARK(BM_WriteFloor) ZL_NODES;
BENCHMARK(BM_Snapshot) ZL_NODES;
BENCHMARK(BM_Snapshot2) ZL_NODES;
BENCHMARK(BM_SnapshotFloor) ZL_NODES;

}  // namespace
}  // namespace zonelens

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--peak-rss") == 0) {
    return zonelens::peak_rss_main(argv + 2);
  }
  if (argc == 4 && std::strcmp(argv[1], "--io-floor") == 0) {
    return zonelens::io_floor_main(argv[2], argv[3]);
  }
  zonelens::g_self = "/proc/self/exe";
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
