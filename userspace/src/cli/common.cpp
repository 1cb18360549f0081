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
#include <iostream>
#include <set>

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

void add_zonelist_order_option(po::options_description& opts) {
  opts.add_options()("zonelist-order", po::value<std::string>()->value_name("node|zone|default"),
                     "the zonelist order of a <= 4.13 kernel, instead of what its command line "
                     "and vm.numa_zonelist_order say: node, zone (refused for 4.14+, which "
                     "removed it) or default (the release's own rule)");
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
  k.version = *v;
  k.rules = rules_for(*v);
  return k;
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

std::string zonelist_order_line(const KernelChoice& k) {
  if (!k.order || !release_has_zone_order(k.version)) {
    return "";
  }
  return "zonelist order: " + std::string(zonelist_order_name(k.order->order)) + " (" +
         k.order->reason + ")\n";
}

void append_json_zonelist_order(std::string& out, const KernelChoice& k) {
  if (!k.order || !release_has_zone_order(k.version)) {
    return;
  }
  out += ",\n  \"zonelist_order\": \"";
  out += zonelist_order_name(k.order->order);
  out += R"(", "zonelist_order_reason": )";
  append_json_string(out, k.order->reason);
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

void append_side(std::string& out, const Topology& topo, const std::optional<ZoneRef>& ref,
                 bool json) {
  if (!ref) {
    out += json ? "null" : "(end)";
    return;
  }
  if (json) {
    out += '"';
  }
  append_zoneref(out, topo, *ref);
  if (json) {
    out += '"';
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

// The renderers below copy pre-rendered tokens: every token sits in a fixed-size slot behind its
// separator, and one fixed-size memcpy per token writes it into room reserved up front (a
// 1024-node prediction prints 1M zonerefs and 1M node ids).
constexpr std::size_t kSlot = 32;

// Room for `count` slot copies that each advance the end by at most `widest` bytes: returns the
// first free byte; give the end back with `finish_room`.
char* reserve_room(std::string& out, std::size_t count, std::size_t widest) {
  const std::size_t old = out.size();
  out.resize(old + (count * widest) + kSlot);
  return out.data() + old;
}

void finish_room(std::string& out, const char* end) {
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void append_int(std::string& out, int v) {
  std::array<char, 16> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), end);
}

// ", N" for the node ids below 4096, in 8-byte slots.
class IntSlots {
 public:
  static constexpr std::size_t kIntSlot = 8;
  static constexpr std::size_t kCount = 4096;
  static constexpr std::size_t kWidest = 6;  // ", 4095"
  IntSlots() : bytes_((kCount + 1) * kIntSlot), len_(kCount) {
    for (std::size_t i = 0; i < kCount; ++i) {
      std::array<char, 16> buf{};
      auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), i);
      char* slot = bytes_.data() + (i * kIntSlot);
      slot[0] = ',';
      slot[1] = ' ';
      const auto n = static_cast<std::size_t>(end - buf.data());
      std::memcpy(slot + 2, buf.data(), n);
      len_[i] = static_cast<std::uint8_t>(n + 2);
    }
  }
  // `ids` joined by `sep` (", " or " ").
  void append(std::string& out, const std::vector<NodeId>& ids, std::string_view sep) const {
    const std::size_t skip = 2 - sep.size();  // " N" is the tail of ", N"
    std::size_t i = 0;
    char* p = reserve_room(out, ids.size(), kWidest);
    for (; i < ids.size(); ++i) {
      const auto v = static_cast<std::size_t>(static_cast<unsigned>(ids[i]));
      if (v >= kCount) {
        break;
      }
      const std::size_t from = i == 0 ? 2 : skip;
      std::memcpy(p, bytes_.data() + (v * kIntSlot) + from, kIntSlot);
      p += len_[v] - from;
    }
    finish_room(out, p);
    for (; i < ids.size(); ++i) {
      if (i != 0) {
        out += sep;
      }
      append_int(out, ids[i]);
    }
  }

 private:
  std::vector<char> bytes_;
  std::vector<std::uint8_t> len_;
};

const IntSlots& int_slots() {
  static const IntSlots kSlots;
  return kSlots;
}

// Every "N:Zone" token of a topology rendered once, behind its separator, on first use.
class ZonerefTokens {
 public:
  ZonerefTokens(const Topology& topo, bool quoted, std::string_view sep)
      : topo_(topo), quoted_(quoted), sep_(sep) {
    nodes_ = static_cast<std::size_t>(std::max(topo.nr_node_ids, 0));
    for (const auto& n : topo.nodes) {
      nodes_ = std::max(nodes_, static_cast<std::size_t>(n.id) + 1);
    }
    zones_ = topo.zone_names.size();
    // The longest token a slot can take: node id digits, ':', the longest zone name, quotes.
    std::size_t name = 0;
    for (const auto& z : topo.zone_names) {
      name = std::max(name, z.size());
    }
    widest_ = sep_.size() + std::to_string(nodes_).size() + 1 + name + (quoted_ ? 2 : 0);
    if (widest_ <= kSlot) {
      bytes_.resize((nodes_ * zones_ * kSlot) + kSlot);
      len_.resize(nodes_ * zones_);
    }
  }
  // `list` joined by the separator.
  void append(std::string& out, const Zonelist& list) {
    std::size_t i = 0;
    if (!bytes_.empty()) {
      char* p = reserve_room(out, list.size(), widest_);
      for (; i < list.size(); ++i) {
        const ZoneRef& ref = list[i];
        if (!in_table(ref)) {
          break;
        }
        const std::size_t k = (static_cast<std::size_t>(ref.node) * zones_) +
                              static_cast<std::size_t>(ref.zone_index);
        if (len_[k] == 0) {
          fill(k, ref);
        }
        const std::size_t from = i == 0 ? sep_.size() : 0;
        std::memcpy(p, bytes_.data() + (k * kSlot) + from, kSlot);
        p += len_[k] - from;
      }
      finish_room(out, p);
    }
    for (; i < list.size(); ++i) {
      if (i != 0) {
        out += sep_;
      }
      render(out, list[i]);
    }
  }

 private:
  [[nodiscard]] bool in_table(const ZoneRef& ref) const {
    return ref.node >= 0 && static_cast<std::size_t>(ref.node) < nodes_ && ref.zone_index >= 0 &&
           static_cast<std::size_t>(ref.zone_index) < zones_;
  }
  void fill(std::size_t k, const ZoneRef& ref) {
    std::string t(sep_);
    render(t, ref);  // at most widest_ <= kSlot bytes: the names are those of topo.zone_names
    std::memcpy(bytes_.data() + (k * kSlot), t.data(), t.size());
    len_[k] = static_cast<std::uint8_t>(t.size());
  }
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
  std::string_view sep_;
  std::size_t nodes_ = 0;
  std::size_t zones_ = 0;
  std::size_t widest_ = 0;
  std::vector<char> bytes_;        // kSlot per token, then kSlot of padding; empty: no table
  std::vector<std::uint8_t> len_;  // token length with its separator; 0: not rendered yet
};

}  // namespace

void append_json_nodes(Output& sink, const Topology& topo,
                       const std::vector<NodeZonelists>& lists) {
  std::string& out = sink.text;
  ZonerefTokens tokens(topo, true, ", ");
  const IntSlots& ints = int_slots();
  out += "\"nodes\": [";
  bool first = true;
  for (const auto& n : lists) {
    out += first ? "\n    " : ",\n    ";
    first = false;
    out += "{\"node\": ";
    append_int(out, n.node);
    out += ", \"fallback\": [";
    tokens.append(out, n.fallback);
    out += "], \"nofallback\": [";
    tokens.append(out, n.nofallback);
    out += ']';
    if (!n.node_order.empty()) {
      out += ", \"node_order\": [";
      ints.append(out, n.node_order, ", ");
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
  ZonerefTokens tokens(topo, false, " ");
  const IntSlots& ints = int_slots();
  for (const auto& n : lists) {
    out += "node ";
    append_int(out, n.node);
    out += '\n';
    if (with_order) {
      out += "  order       ";
      ints.append(out, n.node_order, " ");
      out += n.node_order.empty() ? "-\n" : "\n";
    }
    for (const bool fallback : {true, false}) {
      const Zonelist& zl = fallback ? n.fallback : n.nofallback;
      out += fallback ? "  fallback    " : "  nofallback  ";
      tokens.append(out, zl);
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
