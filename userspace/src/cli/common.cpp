// SPDX-License-Identifier: GPL-2.0-or-later
// Options and output shared by the actions.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"

namespace zonelens::cli {

namespace fs = std::filesystem;

void add_root_option(po::options_description& opts) {
  opts.add_options()("root", po::value<std::string>()->value_name("DIR"),
                     "read a captured root: DIR/sys/devices/system/node, DIR/proc, and "
                     "DIR/sys/kernel/debug/zonelens when present");
}

void add_topology_option(po::options_description& opts) {
  opts.add_options()("topology", po::value<std::string>()->value_name("FILE"),
                     "read a what-if topology file (JSON, docs/topology-file.md)");
}

void add_kernel_option(po::options_description& opts) {
  opts.add_options()("kernel", po::value<std::string>()->value_name("REL"),
                     "model this kernel release (e.g. 6.1.0) instead of the source's");
}

void add_context_option(po::options_description& opts) {
  opts.add_options()("context", po::value<std::string>()->value_name("boot|runtime"),
                     "the rebuild to model: boot (no CPU in any node mask yet) or runtime (the "
                     "current CPU masks)");
}

void add_json_option(po::options_description& opts) {
  opts.add_options()("json", po::bool_switch(), "print JSON instead of text");
}

bool json_wanted(const po::variables_map& vm) {
  return vm.count("json") != 0 && vm["json"].as<bool>();
}

std::optional<fs::path> root_of(const po::variables_map& vm) {
  if (vm.count("root") == 0) {
    return std::nullopt;
  }
  return fs::path(vm["root"].as<std::string>());
}

Observation observe(const po::variables_map& vm) {
  const bool root = vm.count("root") != 0;
  const bool topo = vm.count("topology") != 0;
  if (root && topo) {
    throw UsageError("--root and --topology exclude each other");
  }
  if (root) {
    return observe_root(vm["root"].as<std::string>());
  }
  if (topo) {
    return observe_topology_file(vm["topology"].as<std::string>());
  }
  return observe_live();
}

ModuleState read_module_state(const po::variables_map& vm) { return read_module(root_of(vm)); }

KernelChoice kernel_choice(const po::variables_map& vm, const Topology& topo) {
  KernelChoice k;
  const bool given = vm.count("kernel") != 0;
  k.release = given ? vm["kernel"].as<std::string>() : topo.kernel_release;
  const auto v = parse_kernel_release(k.release);
  if (!v) {
    if (given) {
      throw UsageError("--kernel '" + k.release + "' is not a release like 6.12.0");
    }
    throw InputError("kernel release '" + k.release +
                     "' of the source is not like 6.12.0: pass --kernel REL");
  }
  k.rules = rules_for(*v);
  return k;
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

void append_zoneref(std::string& out, const Topology& topo, const ZoneRef& ref) {
  std::array<char, 16> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), ref.node);
  out.append(buf.data(), end);
  out += ':';
  if (ref.zone_index >= 0 && static_cast<std::size_t>(ref.zone_index) < topo.zone_names.size()) {
    out += topo.zone_names[static_cast<std::size_t>(ref.zone_index)];
  } else {
    const std::string name = zoneref_name(topo, ref);
    out += name.substr(name.find(':') + 1);
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(c));
          out += buf.data();
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

namespace {

void append_int(std::string& out, int v) {
  // Node ids below 4096 come from a table built once (node_order prints 1M of them at 1024 nodes).
  static const std::vector<std::string> kSmall = [] {
    std::vector<std::string> t(4096);
    for (std::size_t i = 0; i < t.size(); ++i) {
      t[i] = std::to_string(i);
    }
    return t;
  }();
  if (v >= 0 && static_cast<std::size_t>(v) < kSmall.size()) {
    out += kSmall[static_cast<std::size_t>(v)];
    return;
  }
  std::array<char, 16> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), end);
}

// Every "N:Zone" token of a topology rendered once (a 1024-node prediction prints 1M of them).
class ZonerefTokens {
 public:
  ZonerefTokens(const Topology& topo, bool quoted) : topo_(topo), quoted_(quoted) {
    nodes_ = static_cast<std::size_t>(std::max(topo.nr_node_ids, 0));
    for (const auto& n : topo.nodes) {
      nodes_ = std::max(nodes_, static_cast<std::size_t>(n.id) + 1);
    }
    zones_ = topo.zone_names.size();
    tokens_.resize(nodes_ * zones_);
  }
  void append(std::string& out, const ZoneRef& ref) {
    if (ref.node < 0 || static_cast<std::size_t>(ref.node) >= nodes_ || ref.zone_index < 0 ||
        static_cast<std::size_t>(ref.zone_index) >= zones_) {
      render(out, ref);
      return;
    }
    std::string& t = tokens_[(static_cast<std::size_t>(ref.node) * zones_) +
                             static_cast<std::size_t>(ref.zone_index)];
    if (t.empty()) {
      render(t, ref);
    }
    out += t;
  }

 private:
  void render(std::string& out, const ZoneRef& ref) const {
    if (quoted_) {
      out += '"';
    }
    append_zoneref(out, topo_, ref);  // node ids and kernel zone names need no JSON escaping
    if (quoted_) {
      out += '"';
    }
  }
  const Topology& topo_;
  bool quoted_;
  std::size_t nodes_ = 0;
  std::size_t zones_ = 0;
  std::vector<std::string> tokens_;
};

void append_json_list(std::string& out, ZonerefTokens& tokens, const Zonelist& list) {
  out += '[';
  bool first = true;
  for (const auto& ref : list) {
    if (!first) {
      out += ", ";
    }
    first = false;
    tokens.append(out, ref);
  }
  out += ']';
}

}  // namespace

void append_json_nodes(Output& sink, const Topology& topo,
                       const std::vector<NodeZonelists>& lists) {
  std::string& out = sink.text;
  ZonerefTokens tokens(topo, true);
  out += "\"nodes\": [";
  bool first = true;
  for (const auto& n : lists) {
    out += first ? "\n    " : ",\n    ";
    first = false;
    out += "{\"node\": ";
    out += std::to_string(n.node);
    out += ", \"fallback\": ";
    append_json_list(out, tokens, n.fallback);
    out += ", \"nofallback\": ";
    append_json_list(out, tokens, n.nofallback);
    if (!n.node_order.empty()) {
      out += ", \"node_order\": [";
      for (std::size_t i = 0; i < n.node_order.size(); ++i) {
        if (i != 0) {
          out += ", ";
        }
        append_int(out, n.node_order[i]);
      }
      out += ']';
    }
    out += '}';
    sink.maybe_flush();
  }
  out += lists.empty() ? "]" : "\n  ]";
}

void append_text_lists(Output& sink, const Topology& topo, const std::vector<NodeZonelists>& lists,
                       bool with_order) {
  std::string& out = sink.text;
  ZonerefTokens tokens(topo, false);
  for (const auto& n : lists) {
    out += "node ";
    out += std::to_string(n.node);
    out += '\n';
    if (with_order) {
      out += "  order       ";
      for (std::size_t i = 0; i < n.node_order.size(); ++i) {
        if (i != 0) {
          out += ' ';
        }
        append_int(out, n.node_order[i]);
      }
      out += n.node_order.empty() ? "-\n" : "\n";
    }
    for (const bool fallback : {true, false}) {
      const Zonelist& zl = fallback ? n.fallback : n.nofallback;
      out += fallback ? "  fallback    " : "  nofallback  ";
      for (std::size_t i = 0; i < zl.size(); ++i) {
        if (i != 0) {
          out += ' ';
        }
        tokens.append(out, zl[i]);
      }
      out += zl.empty() ? "-\n" : "\n";
    }
    sink.maybe_flush();
  }
}

Output::~Output() {
  try {
    flush();
  } catch (const InputError&) {
    // Destructors must not throw; run() flushes explicitly and reports write errors.
  }
}

void Output::flush() {
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      text.clear();
      throw InputError("stdout: write failed: check the output pipe or disk");
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  text.clear();
}

}  // namespace zonelens::cli
