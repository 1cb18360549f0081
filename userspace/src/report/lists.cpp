// SPDX-License-Identifier: GPL-2.0-or-later
// Zonelists and id lists as text and JSON (zonelens/report/lists.hpp).
#include "zonelens/report/lists.hpp"

#include <algorithm>
#include <array>
#include <charconv>

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
  w.value(side_text(topo, ref));
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

namespace {

void append_int(std::string& out, int v) {
  std::array<char, 16> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), end);
}

// `ids` joined by `sep`.
void append_ids(std::string& out, const std::vector<NodeId>& ids, std::string_view sep) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) {
      out += sep;
    }
    append_int(out, ids[i]);
  }
}

}  // namespace

std::string ids_text(const std::vector<NodeId>& ids, std::string_view sep, std::string_view none) {
  std::string s;
  append_ids(s, ids, sep);
  return s.empty() ? std::string(none) : s;
}

namespace {

// Zonelists as "N:Zone" tokens joined by a separator; as JSON, each token a string literal (the
// zone name escaped). A 1024-node prediction prints 1M zonerefs of a few thousand distinct tokens:
// each is spelled once, behind its separator, and copied whole.
class ZonerefTokens {
 public:
  ZonerefTokens(const Topology& topo, bool json, std::string_view sep)
      : topo_(topo), json_(json), sep_(sep), zones_(topo.zone_names.size()) {
    std::size_t nodes = static_cast<std::size_t>(std::max(topo.nr_node_ids, 0));
    for (const auto& n : topo.nodes) {
      nodes = std::max(nodes, static_cast<std::size_t>(n.id) + 1);
    }
    tokens_.resize(nodes * zones_);
  }
  // `list` joined by the separator.
  void append(std::string& out, const Zonelist& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string& t = token(list[i]);
      const std::size_t from = i == 0 ? sep_.size() : 0;
      out.append(t, from, t.size() - from);
    }
  }

 private:
  // The separator and the token of `ref`.
  const std::string& token(const ZoneRef& ref) {
    // a negative id or index converts to a huge unsigned value: one test each
    const auto node = static_cast<std::size_t>(static_cast<unsigned>(ref.node));
    const auto zone = static_cast<std::size_t>(static_cast<unsigned>(ref.zone_index));
    if (zone >= zones_ || node * zones_ + zone >= tokens_.size()) {
      other_ = spelled(ref);
      return other_;
    }
    std::string& t = tokens_[(node * zones_) + zone];
    if (t.empty()) {
      t = spelled(ref);
    }
    return t;
  }
  [[nodiscard]] std::string spelled(const ZoneRef& ref) const {
    std::string t(sep_);
    if (!json_) {
      append_zoneref(t, topo_, ref);
      return t;
    }
    std::string plain;
    append_zoneref(plain, topo_, ref);
    append_json_string(t, plain);
    return t;
  }
  const Topology& topo_;
  bool json_;
  std::string_view sep_;
  std::size_t zones_;
  std::vector<std::string> tokens_;  // node * zones_ + zone index; empty: not spelled yet
  std::string other_;                // a zoneref outside the table
};

// Node ids joined by a separator, each spelled once behind it.
class IdTokens {
 public:
  explicit IdTokens(std::string_view sep) : sep_(sep) {}
  void append(std::string& out, const std::vector<NodeId>& ids) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto id = static_cast<std::size_t>(static_cast<unsigned>(ids[i]));
      if (id >= kMax) {
        if (i != 0) {
          out += sep_;
        }
        append_int(out, ids[i]);
        continue;
      }
      if (id >= tokens_.size()) {
        tokens_.resize(id + 1);
      }
      std::string& t = tokens_[id];
      if (t.empty()) {
        t = sep_;
        append_int(t, ids[i]);
      }
      const std::size_t from = i == 0 ? sep_.size() : 0;
      out.append(t, from, t.size() - from);
    }
  }

 private:
  static constexpr std::size_t kMax = 1U << 16U;
  std::string_view sep_;
  std::vector<std::string> tokens_;
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
  IdTokens ids(w.inline_separator());
  w.array();
  while (const NodeZonelists* node = feed()) {
    const NodeZonelists& n = *node;
    w.object(JsonWriter::Layout::kInline).field("node", n.node);
    for (const bool fallback : {true, false}) {
      w.key(fallback ? "fallback" : "nofallback");
      if (!with_zones) {
        w.null();
        continue;
      }
      std::string& out = w.raw_value();
      out += '[';
      tokens.append(out, fallback ? n.fallback : n.nofallback);
      out += ']';
    }
    if (!n.node_order.empty()) {
      w.key("node_order");
      std::string& out = w.raw_value();
      out += '[';
      ids.append(out, n.node_order);
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
  IdTokens ids(" ");
  while (const NodeZonelists* node = feed()) {
    const NodeZonelists& n = *node;
    out += "node ";
    append_int(out, n.node);
    out += '\n';
    if (with_order) {
      out += "  order       ";
      ids.append(out, n.node_order);
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
