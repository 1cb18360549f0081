// SPDX-License-Identifier: GPL-2.0-or-later
// Strict parsers of the debugfs files, formats 1 to 4 (docs/debugfs-format.md).
#include "zonelens/snapshot.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include "text.hpp"
#include "topology_builder.hpp"
#include "zonelens/error.hpp"
#include "zonelens/idlist.hpp"
#include "zonelens/invariants.hpp"

namespace zonelens {

namespace {

using io_detail::LineReader;
using io_detail::to_number;

// Format 2 is format 1 with the node notifier's events; format 3 is format 2 with one distance row
// per possible node instead of a triple per pair; format 4 is format 3 with an `inflight` line in
// every file; format 5 is format 4 with the `arch` header line. Every other line is the same.
constexpr std::string_view kFormatWord = "zonelens-format ";
constexpr int kOldestFormat = 1;
constexpr int kNewestFormat = kDebugfsFormatVersion;
constexpr int kFirstRowFormat = 3;       // `distance FROM V...` rows
constexpr int kFirstInflightFormat = 4;  // the `inflight` line
constexpr int kFirstArchFormat = 5;      // the `arch` header line

constexpr int kMaxPasses = 8;                          // ZL_MAX_PASSES
constexpr std::uint64_t kMaxRingCapacity = 1U << 20U;  // ZL_RING_CAPACITY is 256
constexpr std::string_view kModuleFix = "read it again, and report a module bug if it persists";

struct Frame {
  int version = 0;
  std::string_view body;  // between the first and the last line
};

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw InputError(file + ": " + what);
}

[[noreturn]] void malformed(const std::string& file, int line, std::string_view text,
                            std::string_view why) {
  std::string shown(text.substr(0, 80));
  fail(file, "line " + std::to_string(line) + " '" + shown + "' is malformed (" + std::string(why) +
                 "): read it again, and report a module bug if it persists");
}

// Checks the first and the last line; returns the version and the body between them.
Frame check_frame(std::string_view text, const std::string& file) {
  if (text.empty()) {
    fail(file, "truncated (no 'end' line): read it again");
  }
  const std::size_t nl = text.find('\n');
  const std::string_view first = text.substr(0, nl);
  if (!first.empty() && first.back() == '\r') {
    fail(file,
         "line 1 ends with a carriage return (CRLF line endings, no kernel writes them): copy the "
         "file again without converting line endings (dos2unix restores it)");
  }
  Frame frame;
  if (first.substr(0, kFormatWord.size()) == kFormatWord) {
    frame.version = to_number<int>(first.substr(kFormatWord.size())).value_or(0);
  }
  if (frame.version < kOldestFormat || frame.version > kNewestFormat) {
    std::string shown(first.substr(0, 60));
    fail(file, "unknown format '" + shown + "', this zonelens reads formats " +
                   std::to_string(kOldestFormat) + " to " + std::to_string(kNewestFormat) +
                   ": use a matching zonelens");
  }
  std::string_view rest = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  if (!rest.empty() && rest.back() == '\n') {
    rest.remove_suffix(1);
  }
  const std::size_t last_nl = rest.rfind('\n');
  const std::string_view last = last_nl == std::string_view::npos ? rest : rest.substr(last_nl + 1);
  if (last != "end") {
    fail(file, "truncated (no 'end' line): read it again");
  }
  frame.body = last_nl == std::string_view::npos ? std::string_view{} : rest.substr(0, last_nl + 1);
  return frame;
}

class BodyParser {
 public:
  BodyParser(const Frame& frame, const std::string& file)
      : lines_(frame.body), file_(file), version_(frame.version) {
    tokens_.reserve(16);
  }

  // Next line split into tokens; false at the end of the body.
  bool next() {
    if (!lines_.next(line_)) {
      return false;
    }
    io_detail::split_spaces(line_, tokens_);
    return true;
  }
  [[nodiscard]] const std::vector<std::string_view>& tokens() const { return tokens_; }
  [[nodiscard]] std::string_view keyword() const { return tokens_.front(); }

  [[noreturn]] void bad(std::string_view why) const {
    malformed(file_, lines_.number() + 1, line_, why);  // +1: the body starts on line 2
  }
  [[noreturn]] void unknown_keyword() const {
    std::string kw(keyword().substr(0, 40));
    fail(file_, "line " + std::to_string(lines_.number() + 1) + ": unknown keyword '" + kw +
                    "' in format " + std::to_string(version_) + ": use a matching zonelens");
  }
  void expect_count(std::size_t n) const {
    if (tokens_.size() != n) {
      bad("expected " + std::to_string(n - 1) + " arguments");
    }
  }
  template <typename T>
  T number(std::size_t i, int base = 10) const {
    const auto v = to_number<T>(tokens_[i], base);
    if (!v) {
      bad("bad number '" + std::string(tokens_[i].substr(0, 24)) + "'");
    }
    return *v;
  }
  // A token of the expected literal, e.g. "present".
  void literal(std::size_t i, std::string_view word) const {
    if (tokens_[i] != word) {
      bad("expected '" + std::string(word) + "'");
    }
  }
  // A node or CPU list whose ids are below `limit` (nr_node_ids, nr_cpu_ids).
  [[nodiscard]] std::vector<int> list(std::size_t i, int limit, std::string_view bound) const {
    auto ids = parse_id_list(tokens_[i], limit);
    if (!ids || tokens_[i].empty()) {
      bad("bad list '" + std::string(tokens_[i].substr(0, 24)) + "', ids must be below " +
          std::string(bound) + " " + std::to_string(limit));
    }
    return std::move(*ids);
  }
  // A number in [lo, hi].
  template <typename T>
  T number_in(std::size_t i, T lo, T hi, std::string_view what) const {
    const T v = number<T>(i);
    if (v < lo || v > hi) {
      bad(std::string(what) + " " + std::to_string(v) + " is outside " + std::to_string(lo) + ".." +
          std::to_string(hi));
    }
    return v;
  }
  // A keyword the format allows once per file.
  void once(std::string_view kw) {
    for (const auto seen : once_seen_) {
      if (seen == kw) {
        bad("repeated '" + std::string(kw) + "' line, the format has one");
      }
    }
    once_seen_.push_back(kw);
  }
  [[nodiscard]] int line_number() const { return lines_.number() + 1; }
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] int version() const { return version_; }

 private:
  LineReader lines_;
  const std::string& file_;
  int version_;
  std::string_view line_;
  std::vector<std::string_view> tokens_;
  std::vector<std::string_view> once_seen_;
};

void append_word(std::uint64_t& h, std::uint32_t w) {
  for (int i = 0; i < 4; ++i) {
    h ^= (w >> (8 * i)) & 0xffU;
    h *= 0x100000001b3ULL;
  }
}

constexpr std::array<std::string_view, 5> kStateNames = {"possible", "online", "memory",
                                                         "normal_memory", "cpu"};

CpuMap parse_cpu_map(std::string_view text, const BodyParser& p, int nr_node_ids, int nr_cpu_ids) {
  CpuMap map;
  if (text == "-") {
    return map;
  }
  std::size_t pos = 0;
  // "0:0-1,1:2-3": an element starts with "N:"; commas also separate ranges inside a list.
  while (pos < text.size()) {
    const std::size_t colon = text.find(':', pos);
    if (colon == std::string_view::npos) {
      p.bad("bad cpus map");
    }
    const auto nid = to_number<int>(text.substr(pos, colon - pos));
    std::size_t end = text.find(':', colon + 1);
    if (end != std::string_view::npos) {
      end = text.rfind(',', end);  // the comma before the next "N:"
      if (end == std::string_view::npos || end < colon) {
        p.bad("bad cpus map");
      }
    } else {
      end = text.size();
    }
    auto cpus = parse_id_list(text.substr(colon + 1, end - colon - 1), nr_cpu_ids);
    if (!nid || !cpus || cpus->empty() || map.contains(*nid)) {
      p.bad("bad cpus map (node ids below " + std::to_string(nr_node_ids) +
            ", CPU ids below nr_cpu_ids " + std::to_string(nr_cpu_ids) + ")");
    }
    if (*nid >= nr_node_ids) {
      p.bad("cpus map names node " + std::to_string(*nid) + ", not below nr_node_ids " +
            std::to_string(nr_node_ids));
    }
    map.emplace(*nid, std::move(*cpus));
    pos = end + 1;
  }
  return map;
}

// The ring's position (an `events` or `log` line): 0 0 when empty, otherwise first_seq..last_seq,
// at most `capacity` of them.
void check_ring(std::uint64_t first, std::uint64_t last, std::uint64_t capacity,
                const BodyParser& p) {
  if (capacity == 0 || capacity > kMaxRingCapacity) {
    p.bad("capacity is 1.." + std::to_string(kMaxRingCapacity));
  }
  if ((first == 0) != (last == 0) || first > last || (first != 0 && last - first >= capacity)) {
    p.bad("first_seq..last_seq is 0 0 or at most capacity sequence numbers");
  }
}

// `inflight none` or `inflight online|offline nid N pfn 0xHEX|- nr N|- seq S` (format 4).
std::optional<MemoryOp> parse_inflight(BodyParser& p) {
  if (p.version() < kFirstInflightFormat) {
    p.unknown_keyword();
  }
  p.once("inflight");
  const auto& t = p.tokens();
  if (t.size() == 2 && t[1] == "none") {
    return std::nullopt;
  }
  p.expect_count(10);
  MemoryOp op;
  if (t[1] != "online" && t[1] != "offline") {
    p.bad("expected none, online or offline");
  }
  op.online = t[1] == "online";
  p.literal(2, "nid");
  op.nid = p.number_in<int>(3, 0, kMaxNumnodes - 1, "nid");
  p.literal(4, "pfn");
  p.literal(6, "nr");
  // Both "-" (a node notification started it, MEM_GOING_* has not come yet) or both given.
  if (t[5] == "-" || t[7] == "-") {
    if (t[5] != "-" || t[7] != "-") {
      p.bad("pfn and nr are both given or both '-'");
    }
  } else {
    if (t[5].size() < 3 || t[5].substr(0, 2) != "0x" ||
        !to_number<std::uint64_t>(t[5].substr(2), 16)) {
      p.bad("pfn is 0xHEX or '-'");
    }
    op.pfn = to_number<std::uint64_t>(t[5].substr(2), 16);
    op.nr_pages = p.number<std::uint64_t>(7);
  }
  p.literal(8, "seq");
  op.seq = p.number<std::uint64_t>(9);
  return op;
}

}  // namespace

std::string describe_memory_op(const MemoryOp& op) {
  std::string s = std::string("a memory ") + (op.online ? "online" : "offline") + " of node " +
                  std::to_string(op.nid) + " (";
  if (op.pfn && op.nr_pages) {
    std::array<char, 24> pfn{};
    std::snprintf(pfn.data(), pfn.size(), "0x%llx", static_cast<unsigned long long>(*op.pfn));
    s += std::string("pfn ") + pfn.data() + ", " + std::to_string(*op.nr_pages) + " pages, ";
  }
  return s + "from event " + std::to_string(op.seq) + ")";
}

std::uint64_t zonelist_fingerprint(const LiveZonelists& lists) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto& n : lists) {
    for (std::uint32_t list = 0; list < 2; ++list) {
      append_word(h, static_cast<std::uint32_t>(n.node));
      append_word(h, list);
      for (const auto& ref : list == 0 ? n.fallback : n.nofallback) {
        append_word(h, (static_cast<std::uint32_t>(ref.node) << 8U) |
                           static_cast<std::uint32_t>(ref.zone_index));
      }
      append_word(h, 0xffffffffU);
    }
  }
  return h;
}

std::string format_fingerprint(std::uint64_t fp) {
  std::array<char, 17> buf{};
  std::snprintf(buf.data(), buf.size(), "%016llx", static_cast<unsigned long long>(fp));
  return {buf.data(), 16};
}

Snapshot parse_snapshot(std::string_view text, const std::string& file) {
  const Frame frame = check_frame(text, file);
  Snapshot s;
  s.header.format_version = frame.version;
  BodyParser p(frame, file);
  std::array<std::optional<std::vector<int>>, kStateNames.size()> states;
  std::optional<int> stable;
  std::optional<MemoryOp> in_flight;
  bool have_inflight = false;
  bool have_fp = false;
  bool have_gen = false;
  bool have_events = false;
  std::vector<std::pair<NodeId, std::vector<CpuId>>> cpumasks;
  std::vector<std::array<int, 3>> distances;  // formats 1 and 2: (from, to, value) triples
  // Format 3: row r is node distance_rows[r].from to every possible node, its values at
  // row_values[begin, begin + count).
  struct DistanceRow {
    int from = 0;
    int line = 0;
    std::size_t begin = 0;
    std::size_t count = 0;
  };
  std::vector<DistanceRow> distance_rows;
  std::vector<std::uint8_t> row_values;
  std::vector<std::pair<NodeId, Zone>> zones;
  std::map<NodeId, NodeZonelists> lists;
  std::map<NodeId, int> lists_seen;  // bit 0 fallback, bit 1 nofallback
  std::vector<int> distance_lines;
  auto& h = s.header;

  auto need_header = [&]() {
    if (h.zone_names.empty() || h.nr_node_ids <= 0) {
      p.bad("comes before 'nr_node_ids'/'zone_names'");
    }
  };
  std::size_t last_zone = 0;  // a list's zonerefs mostly name one zone: try the last one first
  auto zone_index = [&](std::string_view name) {
    if (last_zone < h.zone_names.size() && h.zone_names[last_zone] == name) {
      return static_cast<int>(last_zone);
    }
    for (std::size_t i = 0; i < h.zone_names.size(); ++i) {
      if (h.zone_names[i] == name) {
        last_zone = i;
        return static_cast<int>(i);
      }
    }
    p.bad("unknown zone name '" + std::string(name.substr(0, 24)) + "'");
  };

  while (p.next()) {
    const auto& t = p.tokens();
    const std::string_view kw = p.keyword();
    if (kw == "module_version" || kw == "kernel_release") {
      p.once(kw);
      p.expect_count(2);
      (kw == "module_version" ? h.module_version : h.kernel_release) = std::string(t[1]);
    } else if (kw == "arch") {
      if (p.version() < kFirstArchFormat) {
        p.unknown_keyword();
      }
      p.once(kw);
      p.expect_count(2);
      h.arch = std::string(t[1]);
    } else if (kw == "nr_node_ids" || kw == "max_numnodes" || kw == "max_nr_zones" ||
               kw == "nr_cpu_ids") {
      p.once(kw);
      p.expect_count(2);
      const int limit = kw == "nr_node_ids" || kw == "max_numnodes" ? kMaxNumnodes
                        : kw == "max_nr_zones"                      ? kMaxZones
                                                                    : kMaxCpus;
      const int v = p.number_in<int>(1, 1, limit, kw);
      if (kw == "max_numnodes" && (v & (v - 1)) != 0) {
        p.bad("max_numnodes is 1 << CONFIG_NODES_SHIFT, a power of two");
      }
      (kw == "nr_node_ids"    ? h.nr_node_ids
       : kw == "max_numnodes" ? h.max_numnodes
       : kw == "max_nr_zones" ? h.max_nr_zones
                              : h.nr_cpu_ids) = v;
    } else if (kw == "zone_names") {
      p.once(kw);
      if (h.max_nr_zones <= 0 || t.size() != static_cast<std::size_t>(h.max_nr_zones) + 1) {
        p.bad("expected max_nr_zones names after 'max_nr_zones'");
      }
      for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i].empty()) {
          p.bad("empty zone name");
        }
        h.zone_names.emplace_back(t[i]);
      }
    } else if (kw == "stable") {
      p.once(kw);
      p.expect_count(2);
      stable = p.number<int>(1);
      if (*stable > 1) {
        p.bad("stable is 0 or 1");
      }
    } else if (kw == "passes") {
      p.once(kw);
      p.expect_count(2);
      s.passes = p.number_in<int>(1, 2, kMaxPasses, "passes");
    } else if (kw == "inflight") {
      in_flight = parse_inflight(p);
      have_inflight = true;
      if (in_flight && stable == 1) {
        p.bad("a stable file has no memory operation in flight");
      }
    } else if (kw == "node_states") {
      p.expect_count(3);
      std::size_t i = 0;
      while (i < kStateNames.size() && kStateNames[i] != t[1]) {
        ++i;
      }
      if (i == kStateNames.size()) {
        p.bad("unknown node state");
      }
      if (states[i]) {
        p.bad("repeated node state");
      }
      need_header();
      states[i] = p.list(2, h.nr_node_ids, "nr_node_ids");
    } else if (kw == "cpumask") {
      need_header();
      p.expect_count(3);
      const int nid = p.number<int>(1);
      if (!cpumasks.empty() && cpumasks.back().first >= nid) {
        p.bad("cpumask lines go by ascending node id, one per node");
      }
      cpumasks.emplace_back(nid, p.list(2, h.nr_cpu_ids, "nr_cpu_ids"));
    } else if (kw == "distance" && p.version() >= kFirstRowFormat) {
      if (t.size() < 3) {
        p.bad("expected a node and its distance to every possible node");
      }
      DistanceRow row{p.number<int>(1), p.line_number(), row_values.size(), t.size() - 2};
      row_values.resize(row.begin + row.count);
      for (std::size_t i = 2; i < t.size(); ++i) {
        row_values[row.begin + i - 2] = static_cast<std::uint8_t>(
            p.number_in<int>(i, kLocalDistance, kMaxDistance, "distance"));
      }
      distance_rows.push_back(row);
    } else if (kw == "distance") {
      if (t.size() != 4) {
        p.bad("expected 3 arguments, FROM TO VALUE (distance rows are format " +
              std::to_string(kFirstRowFormat) + ")");
      }
      const int value = p.number_in<int>(3, kLocalDistance, kMaxDistance, "distance");
      distances.push_back({p.number<int>(1), p.number<int>(2), value});
      if (distances.back()[0] == distances.back()[1] && value != kLocalDistance) {
        p.bad("a node's distance to itself is 10 (LOCAL_DISTANCE)");
      }
      distance_lines.push_back(p.line_number());
    } else if (kw == "zone") {
      need_header();
      p.expect_count(10);
      p.literal(4, "present");
      p.literal(6, "managed");
      p.literal(8, "spanned");
      Zone z;
      z.index = p.number<int>(2);
      if (z.index >= h.max_nr_zones || h.zone_names[z.index] != t[3]) {
        p.bad("zone index and name disagree with 'zone_names'");
      }
      z.name = std::string(t[3]);
      z.present = p.number_in<std::uint64_t>(5, 0, kMaxPages, "present");
      z.managed = p.number_in<std::uint64_t>(7, 0, kMaxPages, "managed");
      z.spanned = p.number_in<std::uint64_t>(9, 0, kMaxPages, "spanned");
      // managed <= present <= spanned is checked with the other invariants (check_topology),
      // only in a settled snapshot: onlining frees pages before it counts them present.
      const int nid = p.number<int>(1);
      // Every zone of a pgdat, in index order, ascending node id.
      const bool next_of_node =
          !zones.empty() && zones.back().first == nid && zones.back().second.index + 1 == z.index;
      const bool first_of_next_node = z.index == 0 && (zones.empty() || zones.back().first < nid);
      if (!next_of_node && !first_of_next_node) {
        p.bad("zone lines go by ascending node id and zone index, every index of a node");
      }
      if (first_of_next_node && !zones.empty() && zones.back().second.index + 1 != h.max_nr_zones) {
        p.bad("node " + std::to_string(zones.back().first) + " has fewer than max_nr_zones zones");
      }
      zones.emplace_back(nid, std::move(z));
    } else if (kw == "zonelist") {
      need_header();
      if (t.size() < 4) {
        p.bad("expected a node, a list name and zonerefs");
      }
      const int nid = p.number<int>(1);
      const bool fallback = t[2] == "fallback";
      if (!fallback && t[2] != "nofallback") {
        p.bad("list name is fallback or nofallback");
      }
      auto& entry = lists[nid];
      entry.node = nid;
      Zonelist& zl = fallback ? entry.fallback : entry.nofallback;
      int& seen = lists_seen[nid];
      if ((seen & (fallback ? 1 : 2)) != 0) {
        p.bad("repeated zonelist");
      }
      seen |= fallback ? 1 : 2;
      if (!(t.size() == 4 && t[3] == "-")) {
        zl.reserve(t.size() - 3);
        for (std::size_t i = 3; i < t.size(); ++i) {
          const std::size_t colon = t[i].find(':');
          const auto znid = colon == std::string_view::npos ? std::nullopt
                                                            : to_number<int>(t[i].substr(0, colon));
          if (!znid || *znid >= h.nr_node_ids) {
            p.bad("bad zoneref '" + std::string(t[i].substr(0, 24)) + "'");
          }
          zl.push_back(ZoneRef{*znid, zone_index(t[i].substr(colon + 1))});
        }
      }
    } else if (kw == "fingerprint") {
      p.once(kw);
      p.expect_count(2);
      if (t[1].size() != 16) {
        p.bad("fingerprint is 16 hex digits");
      }
      s.fingerprint = p.number<std::uint64_t>(1, 16);
      have_fp = true;
    } else if (kw == "generation") {
      p.once(kw);
      p.expect_count(2);
      s.generation = p.number<std::uint64_t>(1);
      have_gen = true;
    } else if (kw == "events") {
      p.once(kw);
      p.expect_count(11);
      p.literal(1, "first_seq");
      p.literal(3, "last_seq");
      p.literal(5, "dropped");
      p.literal(7, "lost");
      p.literal(9, "capacity");
      s.events = EventLogPosition{p.number<std::uint64_t>(2), p.number<std::uint64_t>(4),
                                  p.number<std::uint64_t>(6), p.number<std::uint64_t>(8),
                                  p.number<std::uint64_t>(10)};
      check_ring(s.events.first_seq, s.events.last_seq, s.events.capacity, p);
      have_events = true;
    } else if (kw == "end") {
      p.bad("'end' before the last line");
    } else {
      p.unknown_keyword();
    }
  }

  // Completeness: every section of a snapshot must be there.
  auto missing = [&](std::string_view what) {
    fail(file, "no '" + std::string(what) +
                   "' line, the snapshot is incomplete: read it again, and report a module bug if "
                   "it persists");
  };
  if (!stable) {
    missing("stable");
  }
  if (frame.version >= kFirstInflightFormat && !have_inflight) {
    missing("inflight");
  }
  if (in_flight && *stable == 1) {
    fail(file,
         "says stable 1 and an operation in flight, which the module never writes together: " +
             std::string(kModuleFix));
  }
  // An unsettled moment is not bad input: say so before the invariants it may break are checked.
  if (in_flight) {
    throw ModuleUnsettled(file,
                          "read while " + describe_memory_op(*in_flight) +
                              " was in progress: read it again when it has ended",
                          *stable == 1, in_flight);
  }
  if (*stable == 0) {
    throw ModuleUnsettled(file, "unstable, zonelists changed during every read pass: read it again",
                          false, std::nullopt);
  }
  if (h.module_version.empty()) {
    missing("module_version");
  }
  if (h.kernel_release.empty()) {
    missing("kernel_release");
  }
  if (frame.version >= kFirstArchFormat && h.arch.empty()) {
    missing("arch");
  }
  if (h.nr_node_ids <= 0) {
    missing("nr_node_ids");
  }
  if (h.max_numnodes <= 0) {
    missing("max_numnodes");
  }
  if (h.nr_cpu_ids <= 0) {
    missing("nr_cpu_ids");
  }
  if (h.zone_names.empty()) {
    missing("zone_names");
  }
  if (s.passes <= 0) {
    missing("passes");
  }
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (!states[i]) {
      missing("node_states " + std::string(kStateNames[i]));
    }
  }
  if (!have_fp) {
    missing("fingerprint");
  }
  if (!have_gen) {
    missing("generation");
  }
  if (!have_events) {
    missing("events");
  }
  auto inconsistent = [&](const std::string& what) {
    fail(file, what +
                   ", which no kernel shows: read it again, and report a module bug if it "
                   "persists");
  };
  if (h.nr_node_ids > h.max_numnodes) {
    inconsistent("nr_node_ids " + std::to_string(h.nr_node_ids) + " is above max_numnodes " +
                 std::to_string(h.max_numnodes));
  }
  const auto& possible = *states[0];
  // nr_node_ids is the highest possible node id + 1 (setup_nr_node_ids).
  if (possible.empty() || possible.back() + 1 != h.nr_node_ids) {
    inconsistent("nr_node_ids " + std::to_string(h.nr_node_ids) +
                 " is not the highest possible node + 1");
  }
  // Complete tables: a cpumask for every possible node, a distance for every ordered pair.
  bool cpumasks_complete = cpumasks.size() == possible.size();
  for (std::size_t i = 0; cpumasks_complete && i < possible.size(); ++i) {
    cpumasks_complete = cpumasks[i].first == possible[i];
  }
  if (!cpumasks_complete) {
    inconsistent("the cpumask lines are not one per possible node");
  }
  const std::size_t np = possible.size();
  for (std::size_t i = 0; i < distances.size(); ++i) {
    if (i >= np * np || distances[i][0] != possible[i / np] ||
        distances[i][1] != possible[i % np]) {
      inconsistent("line " + std::to_string(distance_lines[i]) + " breaks the distance table (" +
                   "one line per ordered pair of possible nodes, FROM-major, ascending)");
    }
  }
  if (frame.version < kFirstRowFormat && distances.size() != np * np) {
    inconsistent("the distance table has " + std::to_string(distances.size()) + " lines, not " +
                 std::to_string(np * np) + " (every ordered pair of possible nodes)");
  }
  for (std::size_t r = 0; r < distance_rows.size(); ++r) {
    const DistanceRow& row = distance_rows[r];
    const std::string at = "line " + std::to_string(row.line) + " (the distance row of node " +
                           std::to_string(row.from) + ")";
    if (r >= np || row.from != possible[r]) {
      inconsistent(at + " breaks the distance table (one row per possible node, ascending)");
    }
    if (row.count != np) {
      inconsistent(at + " has " + std::to_string(row.count) + " values, not " + std::to_string(np) +
                   " (one per possible node)");
    }
    if (row_values[row.begin + r] != kLocalDistance) {
      inconsistent(at + " gives the node a distance to itself of " +
                   std::to_string(row_values[row.begin + r]) + ", not 10 (LOCAL_DISTANCE)");
    }
  }
  if (frame.version >= kFirstRowFormat && distance_rows.size() != np) {
    inconsistent("the distance table has " + std::to_string(distance_rows.size()) + " rows, not " +
                 std::to_string(np) + " (one per possible node)");
  }
  if (!zones.empty() && zones.back().second.index + 1 != h.max_nr_zones) {
    inconsistent("node " + std::to_string(zones.back().first) +
                 " has fewer than max_nr_zones zones");
  }

  // Build the topology.
  Topology& topo = s.topology;
  topo.kernel_release = h.kernel_release;
  topo.arch = h.arch;
  topo.nr_node_ids = h.nr_node_ids;
  topo.max_numnodes = h.max_numnodes;
  topo.zone_names = h.zone_names;
  TopologyBuilder build(topo, possible, [&file](NodeId id, std::string_view what) {
    return file + ": " + std::string(what) + " names node " + std::to_string(id) +
           ", which is not possible: read it again, and report a module bug if it persists";
  });
  auto node_at = [&build](int id, std::string_view what) -> Node& { return build.node(id, what); };
  build.set_states(
      *states[1], *states[2], *states[3], *states[4],
      {"node_states online", "node_states memory", "node_states normal_memory", "node_states cpu"});
  for (auto& [id, cpus] : cpumasks) {
    node_at(id, "cpumask").cpus = std::move(cpus);
  }
  topo.distance = DistanceTable(h.nr_node_ids);
  for (const auto& d : distances) {
    topo.distance.set(d[0], d[1], d[2]);
  }
  for (const DistanceRow& row : distance_rows) {
    for (std::size_t j = 0; j < np; ++j) {
      topo.distance.set(row.from, possible[j], row_values[row.begin + j]);
    }
  }
  for (auto& [id, z] : zones) {
    build.add_zone(id, std::move(z), "zone");
  }
  s.zonelists.reserve(lists.size());
  for (auto& [id, zl] : lists) {
    Node& n = node_at(id, "zonelist");
    if (!n.has_pgdat || lists_seen[id] != 3) {
      inconsistent("node " + std::to_string(id) +
                   " has zonelist lines but not one fallback, one nofallback and its zones");
    }
    for (const auto* list : {&zl.fallback, &zl.nofallback}) {
      for (const auto& ref : *list) {
        if (!node_at(ref.node, "a zoneref").has_pgdat) {
          inconsistent("a zonelist of node " + std::to_string(id) + " names node " +
                       std::to_string(ref.node) + ", which has no zones");
        }
      }
    }
    s.zonelists.push_back(std::move(zl));
  }
  for (const auto& n : topo.nodes) {
    if (n.has_pgdat && !lists.contains(n.id)) {
      inconsistent("node " + std::to_string(n.id) + " has zones but no zonelist lines");
    }
  }
  check_topology(topo, file, kModuleFix);

  const std::uint64_t computed = zonelist_fingerprint(s.zonelists);
  if (computed != s.fingerprint) {
    fail(file, "fingerprint " + format_fingerprint(s.fingerprint) +
                   " does not match the zonelist lines (they hash to " +
                   format_fingerprint(computed) +
                   "): read it again, and report a module bug if it persists");
  }
  return s;
}

namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 15> kEventNames = {{
    {EventType::kMemGoingOnline, "mem_going_online"},
    {EventType::kMemOnline, "mem_online"},
    {EventType::kMemCancelOnline, "mem_cancel_online"},
    {EventType::kMemGoingOffline, "mem_going_offline"},
    {EventType::kMemOffline, "mem_offline"},
    {EventType::kMemCancelOffline, "mem_cancel_offline"},
    {EventType::kCpuOnline, "cpu_online"},
    {EventType::kCpuOffline, "cpu_offline"},
    {EventType::kFpChange, "fp_change"},
    {EventType::kNodeAddingFirstMemory, "node_adding_first_memory"},
    {EventType::kNodeAddedFirstMemory, "node_added_first_memory"},
    {EventType::kNodeCancelAddingFirstMemory, "node_cancel_adding_first_memory"},
    {EventType::kNodeRemovingLastMemory, "node_removing_last_memory"},
    {EventType::kNodeRemovedLastMemory, "node_removed_last_memory"},
    {EventType::kNodeCancelRemovingLastMemory, "node_cancel_removing_last_memory"},
}};

}  // namespace

void check_event_ids(const SnapshotHeader& h, const EventLog& log, const std::string& file) {
  auto bad = [&](const Event& e, const std::string& what) {
    fail(file, "event " + std::to_string(e.seq) + " names " + what +
                   " of the snapshot's header: " + std::string(kModuleFix));
  };
  for (const auto& e : log.events) {
    if (e.nid && *e.nid >= h.nr_node_ids) {
      bad(e, "node " + std::to_string(*e.nid) + ", not below nr_node_ids " +
                 std::to_string(h.nr_node_ids));
    }
    if (e.cpu && *e.cpu >= h.nr_cpu_ids) {
      bad(e, "CPU " + std::to_string(*e.cpu) + ", not below nr_cpu_ids " +
                 std::to_string(h.nr_cpu_ids));
    }
    for (const auto& [nid, cpus] : e.cpus) {
      if (nid >= h.nr_node_ids || cpus.back() >= h.nr_cpu_ids) {
        bad(e, "a cpus map (node " + std::to_string(nid) + ", CPU " + std::to_string(cpus.back()) +
                   ") outside nr_node_ids " + std::to_string(h.nr_node_ids) + "/nr_cpu_ids " +
                   std::to_string(h.nr_cpu_ids));
      }
    }
  }
}

std::string_view event_type_name(EventType type) {
  for (const auto& [t, name] : kEventNames) {
    if (t == type) {
      return name;
    }
  }
  return "?";
}

std::optional<EventType> parse_event_type(std::string_view token) {
  for (const auto& [t, name] : kEventNames) {
    if (name == token) {
      return t;
    }
  }
  return std::nullopt;
}

const Event* EventLog::event_that_set(std::uint64_t generation) const {
  if (generation == 0) {
    return nullptr;
  }
  for (const auto& e : events) {
    if (e.generation == generation) {
      return &e;
    }
  }
  return nullptr;
}

EventLog parse_event_log(std::string_view text, const std::string& file) {
  const Frame frame = check_frame(text, file);
  EventLog log;
  BodyParser p(frame, file);
  bool have_log = false;
  bool have_inflight = false;
  while (p.next()) {
    const auto& t = p.tokens();
    const std::string_view kw = p.keyword();
    if (kw == "log") {
      p.expect_count(15);
      if (have_log) {
        p.bad("repeated 'log'");
      }
      constexpr std::array<std::string_view, 7> kKeys = {
          "loaded_ns", "capacity", "first_seq", "last_seq", "dropped", "lost", "cpu_overlap"};
      std::array<std::uint64_t*, 7> dst = {&log.loaded_ns,  &log.capacity, &log.first_seq,
                                           &log.last_seq,   &log.dropped,  &log.lost,
                                           &log.cpu_overlap};
      for (std::size_t i = 0; i < kKeys.size(); ++i) {
        p.literal(1 + (2 * i), kKeys[i]);
        *dst[i] = p.number<std::uint64_t>(2 + (2 * i));
      }
      check_ring(log.first_seq, log.last_seq, log.capacity, p);
      have_log = true;
    } else if (kw == "inflight") {
      if (!have_log) {
        p.bad("'inflight' before 'log'");
      }
      log.in_flight = parse_inflight(p);
      have_inflight = true;
    } else if (kw == "event") {
      if (!have_log) {
        p.bad("'event' before 'log'");
      }
      if (t.size() < 5) {
        p.bad("too short");
      }
      Event e;
      e.seq = p.number<std::uint64_t>(1);
      // The ring holds first_seq..last_seq, every one of them, in order.
      const std::uint64_t want = log.first_seq + log.events.size();
      if (log.first_seq == 0 || e.seq != want || e.seq > log.last_seq) {
        p.bad("event sequence numbers run from first_seq to last_seq of the 'log' line, one each");
      }
      p.literal(2, "ts");
      e.ts_ns = p.number<std::uint64_t>(3);
      const auto type = parse_event_type(t[4]);
      if (!type) {
        p.bad("unknown event type '" + std::string(t[4].substr(0, 24)) + "'");
      }
      e.type = *type;
      std::size_t i = 5;
      if (is_node_event(e.type)) {
        if (p.version() < 2) {
          p.bad("node events are format 2 and later");
        }
        p.expect_count(13);
        p.literal(5, "nid");
        e.nid = p.number_in<int>(6, 0, kMaxNumnodes - 1, "nid");
        i = 7;
      } else if (is_memory_event(e.type)) {
        p.expect_count(17);
        p.literal(5, "nid");
        e.nid = p.number_in<int>(6, 0, kMaxNumnodes - 1, "nid");
        p.literal(7, "pfn");
        if (t[8].size() < 3 || t[8].substr(0, 2) != "0x") {
          p.bad("pfn is 0xHEX");
        }
        const auto pfn = to_number<std::uint64_t>(t[8].substr(2), 16);
        if (!pfn) {
          p.bad("pfn is 0xHEX");
        }
        e.pfn = pfn;
        p.literal(9, "nr");
        e.nr_pages = p.number<std::uint64_t>(10);
        i = 11;
      } else if (e.type == EventType::kFpChange) {
        p.expect_count(13);
        p.literal(5, "at");
        e.at = std::string(t[6]);
        i = 7;
      } else {
        p.expect_count(15);
        p.literal(5, "cpu");
        e.cpu = p.number_in<int>(6, 0, kMaxCpus - 1, "cpu");
        p.literal(7, "nid");
        e.nid = p.number_in<int>(8, 0, kMaxNumnodes - 1, "nid");
        i = 9;
      }
      p.literal(i, "fp");
      if (t[i + 1].size() != 16) {
        p.bad("fingerprint is 16 hex digits");
      }
      e.fingerprint = p.number<std::uint64_t>(i + 1, 16);
      p.literal(i + 2, "gen");
      e.generation = p.number<std::uint64_t>(i + 3);
      p.literal(i + 4, "cpus");
      e.cpus = parse_cpu_map(t[i + 5], p, kMaxNumnodes, kMaxCpus);
      log.events.push_back(std::move(e));
    } else if (kw == "end") {
      p.bad("'end' before the last line");
    } else {
      p.unknown_keyword();
    }
  }
  if (!have_log) {
    fail(file,
         "no 'log' line, the event log is incomplete: read it again, and report a module "
         "bug if it persists");
  }
  if (frame.version >= kFirstInflightFormat && !have_inflight) {
    fail(file, "no 'inflight' line, the event log is incomplete: " + std::string(kModuleFix));
  }
  // The event that started the operation is in the ring, unless the ring has dropped it since.
  if (log.in_flight && (log.in_flight->seq > log.last_seq ||
                        (log.in_flight->seq < log.first_seq && log.dropped == 0))) {
    fail(file, "the 'inflight' line names event " + std::to_string(log.in_flight->seq) +
                   ", which is not in the log: " + std::string(kModuleFix));
  }
  if (log.first_seq != 0 && log.events.size() != log.last_seq - log.first_seq + 1) {
    fail(file, "the 'log' line promises events " + std::to_string(log.first_seq) + " to " +
                   std::to_string(log.last_seq) + " but " + std::to_string(log.events.size()) +
                   " follow: " + std::string(kModuleFix));
  }
  return log;
}

}  // namespace zonelens
