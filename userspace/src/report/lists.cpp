// SPDX-License-Identifier: GPL-2.0-or-later
// Zonelists and id lists as text and JSON (zonelens/report/lists.hpp).
#include "zonelens/report/lists.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace zonelens::report {

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

std::string side_text(const Topology& topo, const std::optional<ZoneRef>& ref) {
  std::string s;
  if (!ref) {
    return "(end)";
  }
  append_zoneref(s, topo, *ref);
  return s;
}

void side_json(JsonWriter& w, const Topology& topo, const std::optional<ZoneRef>& ref) {
  if (!ref) {
    w.null();
    return;
  }
  std::string& out = w.raw_value();
  out += '"';
  append_zoneref(out, topo, *ref);
  out += '"';
}

std::string zonelist_text(const Topology& topo, const Zonelist& list) {
  std::string s;
  for (const auto& r : list) {
    if (!s.empty()) {
      s += ' ';
    }
    append_zoneref(s, topo, r);
  }
  return s.empty() ? "-" : s;
}

std::string ids_text(const std::vector<NodeId>& ids, std::string_view sep, std::string_view none) {
  std::string s;
  for (const NodeId id : ids) {
    if (!s.empty()) {
      s += sep;
    }
    s += std::to_string(id);
  }
  return s.empty() ? std::string(none) : s;
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
    std::size_t i = 0;
    // The slots hold ", N" and its tail " N": another separator takes the loop at the end.
    const bool slotted = sep == ", " || sep == " ";
    const std::size_t skip = slotted ? 2 - sep.size() : 0;
    char* p = reserve_room(out, ids.size(), kWidest);
    const char* bytes = bytes_.data();
    const std::uint8_t* len = len_.data();
    // The first id without its separator, then the others without that test (a first id
    // outside the slots leaves every id to the loop at the end).
    if (slotted && !ids.empty() && static_cast<unsigned>(ids[0]) < kCount) {
      const auto v = static_cast<std::size_t>(static_cast<unsigned>(ids[0]));
      std::memcpy(p, bytes + (v * kIntSlot) + 2, kIntSlot);
      p += len[v] - 2;
      i = 1;
    }
    for (; i != 0 && i < ids.size(); ++i) {
      const auto v = static_cast<std::size_t>(static_cast<unsigned>(ids[i]));
      if (v >= kCount) {
        break;
      }
      std::memcpy(p, bytes + (v * kIntSlot) + skip, kIntSlot);
      p += len[v] - skip;
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
      // The first token without its separator (`from`), then the others whole.
      for (std::size_t from = sep_.size(); i < list.size(); ++i, from = 0) {
        const ZoneRef& ref = list[i];
        if (!in_table(ref)) {
          break;
        }
        const std::size_t k = (static_cast<std::size_t>(ref.node) * zones_) +
                              static_cast<std::size_t>(ref.zone_index);
        if (len_[k] == 0) {
          fill(k, ref);
        }
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
    // a negative id or index converts to a huge unsigned value: one test each
    return static_cast<std::size_t>(static_cast<unsigned>(ref.node)) < nodes_ &&
           static_cast<std::size_t>(static_cast<unsigned>(ref.zone_index)) < zones_;
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

void zonelist_json(JsonWriter& w, const Topology& topo, const Zonelist& list) {
  ZonerefTokens tokens(topo, true, w.inline_separator());
  std::string& out = w.raw_value();
  out += '[';
  tokens.append(out, list);
  out += ']';
}

NodeFeed feed_of(const std::vector<NodeZonelists>& lists) {
  return [&lists, i = std::size_t{0}]() mutable -> const NodeZonelists* {
    return i < lists.size() ? &lists[i++] : nullptr;
  };
}

void nodes_json(JsonWriter& w, const Topology& topo, const std::vector<NodeZonelists>& lists) {
  nodes_json(w, topo, feed_of(lists));
}

void nodes_text(Sink& sink, const Topology& topo, const std::vector<NodeZonelists>& lists,
                bool with_order) {
  nodes_text(sink, topo, feed_of(lists), with_order);
}

void nodes_json(JsonWriter& w, const Topology& topo, const NodeFeed& feed, bool with_zones) {
  ZonerefTokens tokens(topo, true, w.inline_separator());
  const IntSlots& ints = int_slots();
  w.array();
  while (const NodeZonelists* node = feed()) {
    const NodeZonelists& n = *node;
    w.object(JsonWriter::Layout::kInline).field("node", n.node);
    for (const bool fallback : {true, false}) {
      if (!with_zones) {
        break;
      }
      w.key(fallback ? "fallback" : "nofallback");
      std::string& out = w.raw_value();
      out += '[';
      tokens.append(out, fallback ? n.fallback : n.nofallback);
      out += ']';
    }
    if (!n.node_order.empty()) {
      w.key("node_order");
      std::string& out = w.raw_value();
      out += '[';
      ints.append(out, n.node_order, w.inline_separator());
      out += ']';
    }
    w.end();
    w.sink().maybe_flush();
  }
  w.end();
}

void nodes_text(Sink& sink, const Topology& topo, const NodeFeed& feed, bool with_order,
                bool with_zones) {
  std::string& out = sink.text;
  ZonerefTokens tokens(topo, false, " ");
  const IntSlots& ints = int_slots();
  while (const NodeZonelists* node = feed()) {
    const NodeZonelists& n = *node;
    out += "node ";
    append_int(out, n.node);
    out += '\n';
    if (with_order) {
      out += "  order       ";
      ints.append(out, n.node_order, " ");
      out += n.node_order.empty() ? "-\n" : "\n";
    }
    for (const bool fallback : {true, false}) {
      if (!with_zones) {
        break;
      }
      const Zonelist& zl = fallback ? n.fallback : n.nofallback;
      out += fallback ? "  fallback    " : "  nofallback  ";
      tokens.append(out, zl);
      out += zl.empty() ? "-\n" : "\n";
    }
    sink.maybe_flush();
  }
}

}  // namespace zonelens::report
