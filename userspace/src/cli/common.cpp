// SPDX-License-Identifier: GPL-2.0-or-later
// Options and output shared by the actions.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"

namespace zonelens::cli {

namespace fs = std::filesystem;

void add_root_option(po::options_description& opts) {
  opts.add_options()("root", po::value<std::string>()->value_name("DIR"),
                     "read a captured root: DIR/sys/devices/system/node, DIR/proc, and "
                     "DIR/sys/kernel/debug/zonelens when present; or an archive of one "
                     "(hwloc-gather-topology's .tar.bz2, capture's .tar.gz, .tar.xz)");
}

void add_topology_option(po::options_description& opts) {
  opts.add_options()("topology", po::value<std::string>()->value_name("FILE"),
                     "read a what-if topology file (JSON, docs/topology-file.md)");
}

void add_kernel_option(po::options_description& opts) {
  opts.add_options()("kernel", po::value<std::string>()->value_name("REL"),
                     "model this kernel release (e.g. 6.1.0) instead of the source's");
  add_arch_option(opts);
}

void add_arch_option(po::options_description& opts) {
  opts.add_options()("arch", po::value<std::string>()->value_name("NAME"),
                     "model this architecture's kernel instead of the one the source names "
                     "(x86_64 when it names none): x86_64, aarch64 or ppc64le (also amd64, arm64, "
                     "ppc64el, ppc64); see docs/architectures.md");
}

void add_context_option(po::options_description& opts, std::string_view without) {
  opts.add_options()("context", po::value<std::string>()->value_name("boot|runtime"),
                     ("the rebuild to model: boot (no CPU in any node mask yet) or runtime (the "
                      "current CPU masks); without it: " +
                      std::string(without))
                         .c_str());
}

void add_json_option(po::options_description& opts) {
  opts.add_options()("json", po::bool_switch(), "print JSON instead of text");
}

// A memory block online or offline takes milliseconds natively, up to a second or two in an
// emulated guest: a few seconds cover one, and a burst of them ends the wait with a clear sentence.
// A captured root does not change, so reading it again is pointless unless asked for.
constexpr double kDefaultWaitSeconds = 5;

void add_wait_option(po::options_description& opts) {
  opts.add_options()("wait", po::value<double>()->value_name("SECONDS"),
                     "while the module says a memory online/offline is in flight (or its read "
                     "passes disagree), read again for up to SECONDS before giving up with exit 2 "
                     "(default 5 on the running machine, 0 with --root); 0 reads once");
}

ModuleWait module_wait(const po::variables_map& vm) {
  const double s = vm.count("wait") != 0   ? vm["wait"].as<double>()
                   : vm.count("root") != 0 ? 0
                                           : kDefaultWaitSeconds;
  constexpr double kMaxWaitSeconds = 24.0 * 3600;
  if (!(s >= 0 && s <= kMaxWaitSeconds)) {
    throw UsageError("--wait takes seconds from 0 to 86400");
  }
  return ModuleWait(static_cast<ModuleWait::rep>(s * 1000));
}

void add_zonelist_order_option(po::options_description& opts) {
  opts.add_options()("zonelist-order", po::value<std::string>()->value_name("node|zone|default"),
                     "the zonelist order of a <= 4.13 kernel, instead of what its command line "
                     "and vm.numa_zonelist_order say: node, zone (refused for 4.14+, which "
                     "removed it) or default (the release's own rule)");
}

void add_model_options(po::options_description& opts) {
  add_root_option(opts);
  add_topology_option(opts);
  add_kernel_option(opts);
  add_context_option(opts,
                     "with the module's files the last rebuild's context, as verify resolves it, "
                     "else boot");
  add_zonelist_order_option(opts);
  add_json_option(opts);
  add_wait_option(opts);
}

void add_svg_option(po::options_description& opts) {
  opts.add_options()("svg", po::value<std::string>()->value_name("FILE"),
                     "also draw every node's fallback list as an SVG picture into FILE (rows "
                     "nodes, columns positions, cells coloured by distance)");
}

bool svg_wanted(const po::variables_map& vm) { return vm.count("svg") != 0; }

void write_svg(const po::variables_map& vm, const report::SvgPicture& picture) {
  if (!svg_wanted(vm)) {
    return;
  }
  const std::string file = vm["svg"].as<std::string>();
  if (picture.lists->size() > report::kSvgMaxNodes) {
    throw InputError(file + ": --svg draws at most " + std::to_string(report::kSvgMaxNodes) +
                     " nodes and this source has " + std::to_string(picture.lists->size()) +
                     ": use --json for larger machines");
  }
  write_output_file(file, report::render_svg(picture));
}

bool json_wanted(const po::variables_map& vm) {
  return vm.count("json") != 0 && vm["json"].as<bool>();
}

namespace {

// The --root archive of this process, unpacked once and removed when the process exits (a static:
// its destructor runs on every return from main and on exit()).
std::optional<UnpackedRoot>& unpacked_root() {
  static std::optional<UnpackedRoot> unpacked;
  return unpacked;
}

bool root_is_archive(const fs::path& root) {
  std::error_code ec;
  return is_root_archive(root) && fs::is_regular_file(root, ec);
}

}  // namespace

std::optional<fs::path> root_of(const po::variables_map& vm) {
  if (vm.count("root") == 0) {
    return std::nullopt;
  }
  fs::path root(vm["root"].as<std::string>());
  if (root_is_archive(root)) {
    auto& unpacked = unpacked_root();
    if (!unpacked) {
      unpacked.emplace(root);
    }
    return unpacked->root();
  }
  return root;
}

Observation observe(const po::variables_map& vm) {
  const bool root = vm.count("root") != 0;
  const bool topo = vm.count("topology") != 0;
  if (root && topo) {
    throw UsageError("--root and --topology exclude each other");
  }
  if (root) {
    const std::string given = vm["root"].as<std::string>();
    const fs::path dir = *root_of(vm);
    if (dir == fs::path(given)) {
      return observe_root(dir, module_wait(vm));
    }
    // An archive: name it, not the temporary directory it was unpacked into.
    const std::string tmp = dir.parent_path().string();
    try {
      Observation o = observe_root(dir, module_wait(vm));
      o.origin = "root " + given;
      return o;
    } catch (const InputError& e) {
      std::string message = e.what();
      if (message.starts_with(tmp + "/")) {
        message = given + ":" + message.substr(tmp.size() + 1);
      }
      throw InputError(message);
    }
  }
  if (topo) {
    return observe_topology_file(vm["topology"].as<std::string>());
  }
  return observe_live(module_wait(vm));
}

ModuleState read_module_state(const po::variables_map& vm, ModuleTexts* texts) {
  return read_module(root_of(vm), module_wait(vm), texts);
}

KernelChoice kernel_choice(const po::variables_map& vm, const Topology& topo) {
  KernelChoice k;
  const bool given = vm.count("kernel") != 0;
  k.release = given ? vm["kernel"].as<std::string>() : topo.kernel_release;
  if (!given && k.release.empty()) {
    // A capture without the release (hwloc's lack proc/sys/kernel/osrelease): the newest era.
    k.release = "unknown";
    k.release_assumed = true;
    k.version = newest_release(kEraTable.back().era);
  } else {
    const auto v = parse_kernel_release(k.release);
    if (!v) {
      if (given) {
        throw UsageError("--kernel '" + k.release + "' is not a release like 6.12.0");
      }
      throw InputError("kernel release '" + k.release +
                       "' of the source is not like 6.12.0: pass --kernel REL");
    }
    k.version = *v;
  }
  k.rules = rules_for(k.version);
  const ArchChoice a = arch_choice(vm, topo);
  k.rules.arch = a.arch;
  k.arch_origin = a.origin;
  return k;
}

ArchChoice arch_choice(const po::variables_map& vm, const Topology& topo) {
  std::string known;
  std::string aliases;
  for (const ArchRow& row : kArchTable) {
    known += (known.empty() ? "" : ", ") + std::string(row.name);
    for (const std::string_view alias : row.aliases) {
      if (!alias.empty()) {
        aliases += (aliases.empty() ? "" : ", ") + std::string(alias);
      }
    }
  }
  if (vm.count("arch") != 0) {
    const auto& name = vm["arch"].as<std::string>();
    const auto a = parse_arch_name(name);
    if (!a) {
      throw UsageError("--arch is one of " + known + " (or " + aliases + "), not '" + name + "'");
    }
    return {*a, ArchOrigin::kOption};
  }
  if (topo.arch.empty()) {
    return {Arch::kX86_64, ArchOrigin::kDefault};
  }
  const auto a = parse_arch_name(topo.arch);
  if (!a) {
    throw InputError("the source's architecture '" + topo.arch + "' is not one zonelens models (" +
                     known + "): pass --arch to model it as one of them");
  }
  return {*a, ArchOrigin::kSource};
}

std::optional<OrderRequest> zonelist_order_option(const po::variables_map& vm) {
  if (vm.count("zonelist-order") == 0) {
    return std::nullopt;
  }
  const auto& o = vm["zonelist-order"].as<std::string>();
  for (const auto r : {OrderRequest::kNode, OrderRequest::kZone, OrderRequest::kDefault}) {
    if (o == order_request_name(r)) {
      return r;
    }
  }
  throw UsageError("--zonelist-order is node, zone or default, not '" + o + "'");
}

OrderSources order_sources(const po::variables_map& vm, const KernelVersion& v) {
  const auto option = zonelist_order_option(vm);
  // 4.14+ ignores both files, and a topology file has neither.
  OrderSources s = release_has_zone_order(v) && vm.count("topology") == 0
                       ? read_order_sources(root_of(vm))
                       : OrderSources{};
  s.option = option;
  return s;
}

ZonelistOrderChoice zonelist_order_for(const Topology& topo, const KernelVersion& v,
                                       const OrderSources& sources) {
  ZonelistOrderChoice c = choose_zonelist_order(topo, v, sources);
  if (c.error) {
    throw InputError(*c.error);
  }
  static std::set<std::string> warned;
  for (const auto& w : c.warnings) {
    if (warned.insert(w).second) {
      std::cerr << "zonelens: warning: " << w << '\n';
    }
  }
  return c;
}

void apply_zonelist_order(const po::variables_map& vm, const Topology& topo, KernelChoice& k) {
  k.order = zonelist_order_for(topo, k.version, order_sources(vm, k.version));
  k.rules.zonelist_order = k.order->order;
}

std::optional<RebuildKind> context_option(const po::variables_map& vm) {
  if (vm.count("context") == 0) {
    return std::nullopt;
  }
  const auto& c = vm["context"].as<std::string>();
  if (c == "boot") {
    return RebuildKind::kBoot;
  }
  if (c == "runtime") {
    return RebuildKind::kRuntime;
  }
  throw UsageError("--context is boot or runtime, not '" + c + "'");
}

ContextCandidate command_context(const po::variables_map& vm, const Observation& o,
                                 const EraRules& rules) {
  const auto given = context_option(vm);
  const ModuleState* m = o.module && !given ? &*o.module : nullptr;
  ResolvedContext r = resolve_context(o.topology, rules, m != nullptr ? &m->snapshot : nullptr,
                                      m != nullptr ? &m->events : nullptr, given);
  if (!r.explains_live()) {
    r.context.explains_no_live_list = true;
  }
  return r.context;
}

report::KernelLine kernel_line(const KernelChoice& k) {
  report::KernelLine line{.release = k.release,
                          .rules = k.rules,
                          .arch_origin = k.arch_origin,
                          .order_reason = std::nullopt,
                          .release_assumed = k.release_assumed};
  if (k.order && release_has_zone_order(k.version)) {
    line.order_reason = k.order->reason;
  }
  return line;
}

namespace {

void write_stdout(std::string_view rest) {
  while (!rest.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw InputError("stdout: write failed: check the output pipe or disk");
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

Output::Output() : report::Sink(write_stdout) {}

Output::~Output() {
  try {
    flush();
  } catch (const InputError&) {
    text.clear();  // destructors must not throw; run() flushes explicitly and reports errors
  }
}

}  // namespace zonelens::cli
