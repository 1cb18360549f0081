// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens probe, the pure part (zonelens/probe.hpp, docs/probe.md).
#include "zonelens/probe.hpp"

#include <algorithm>
#include <charconv>

#include "zonelens/error.hpp"

namespace zonelens::probe {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool to_u64(std::string_view s, std::uint64_t& out) {
  s = trim(s);
  const auto* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, out);
  return !s.empty() && r.ec == std::errc() && r.ptr == end;
}

// "KEY VALUE" with KEY one or two words ("pages free"), VALUE one number.
bool key_value(std::string_view line, std::string_view key, std::uint64_t& out) {
  line = trim(line);
  if (line.substr(0, key.size()) != key || line.size() == key.size() ||
      (line[key.size()] != ' ' && line[key.size()] != ':' && line[key.size()] != '\t')) {
    return false;
  }
  std::string_view v = line.substr(key.size());
  if (!v.empty() && v.front() == ':') {
    v.remove_prefix(1);
  }
  return to_u64(v, out);
}

}  // namespace

std::uint64_t ZoneState::mark(int highest_zoneidx) const {
  const auto i = static_cast<std::size_t>(highest_zoneidx);
  return low + (i < protection.size() ? protection[i] : 0);
}

std::uint64_t ZoneState::headroom(int highest_zoneidx) const {
  const std::uint64_t m = mark(highest_zoneidx);
  return free > m ? free - m : 0;
}

std::vector<ZoneState> parse_zoneinfo_state(std::string_view text, const std::string& file) {
  std::vector<ZoneState> zones;
  auto bad = [&](const std::string& what) {
    return InputError(file + ": " + what + ": recapture /proc/zoneinfo");
  };
  std::size_t pos = 0;
  bool in_pagesets = false;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      nl = text.size();
    }
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.starts_with("Node ")) {
      const auto comma = line.find(", zone");
      std::uint64_t nid = 0;
      if (comma == std::string_view::npos || !to_u64(line.substr(5, comma - 5), nid) ||
          nid >= static_cast<std::uint64_t>(kMaxNumnodes)) {
        throw bad("'" + escape_controls(line) + "' is not 'Node N, zone NAME'");
      }
      ZoneState z;
      z.node = static_cast<NodeId>(nid);
      z.name = std::string(trim(line.substr(comma + 6)));
      z.index = (!zones.empty() && zones.back().node == z.node) ? zones.back().index + 1 : 0;
      zones.push_back(std::move(z));
      in_pagesets = false;
      continue;
    }
    if (zones.empty()) {
      continue;
    }
    ZoneState& z = zones.back();
    const std::string_view t = trim(line);
    if (t.starts_with("pagesets")) {
      in_pagesets = true;  // per-CPU "high:" lines follow: not the zone's watermark
      continue;
    }
    std::uint64_t v = 0;
    if (in_pagesets && key_value(t, "count", v)) {
      z.pcp += v;
    } else if (key_value(t, "pages free", v)) {
      z.free = v;
    } else if (!in_pagesets && key_value(t, "min", v)) {
      z.min = v;
    } else if (!in_pagesets && key_value(t, "low", v)) {
      z.low = v;
    } else if (!in_pagesets && key_value(t, "high", v)) {
      z.high = v;
    } else if (key_value(t, "spanned", v)) {
      z.spanned = v;
    } else if (key_value(t, "present", v)) {
      z.present = v;
    } else if (key_value(t, "managed", v)) {
      z.managed = v;
    } else if (key_value(t, "start_pfn", v)) {
      z.start_pfn = v;
    } else if (t.starts_with("protection:")) {
      std::string_view p = trim(t.substr(11));
      if (p.size() < 2 || p.front() != '(' || p.back() != ')') {
        throw bad("node " + std::to_string(z.node) + " zone " + z.name + ": bad protection line");
      }
      p = p.substr(1, p.size() - 2);
      z.protection.clear();
      while (!p.empty()) {
        const auto c = p.find(',');
        std::uint64_t x = 0;
        if (!to_u64(p.substr(0, c), x)) {
          throw bad("node " + std::to_string(z.node) + " zone " + z.name + ": bad protection line");
        }
        z.protection.push_back(x);
        p = c == std::string_view::npos ? std::string_view{} : p.substr(c + 1);
      }
    }
  }
  if (zones.empty()) {
    throw bad("no 'Node N, zone NAME' block");
  }
  return zones;
}

const ZoneState* zone_of_pfn(const std::vector<ZoneState>& zones, std::uint64_t pfn) {
  for (const ZoneState& z : zones) {
    if (z.contains(pfn)) {
      return &z;
    }
  }
  return nullptr;
}

const ZoneState* find_zone(const std::vector<ZoneState>& zones, const ZoneRef& ref) {
  for (const ZoneState& z : zones) {
    if (z.node == ref.node && z.index == ref.zone_index) {
      return &z;
    }
  }
  return nullptr;
}

int movable_index(const std::vector<ZoneState>& zones) {
  int highest = 0;
  for (const ZoneState& z : zones) {
    if (z.name == "Movable") {
      return z.index;
    }
    highest = std::max(highest, z.index);
  }
  return highest;
}

Plan make_plan(NodeId node, const Zonelist& list, const std::vector<ZoneState>& zones,
               const std::vector<NodeId>& allowed, std::uint64_t chunk_pages) {
  Plan plan;
  plan.node = node;
  plan.chunk_pages = chunk_pages;
  plan.highest_zoneidx = movable_index(zones);
  for (const ZoneRef& ref : list) {
    PositionPlan p;
    p.ref = ref;
    const ZoneState* z = find_zone(zones, ref);
    if (z == nullptr) {
      p.why_not = Unreached::kNoZoneinfo;
    } else {
      p.zone_name = z->name;
      p.free = z->free;
      p.mark = z->mark(plan.highest_zoneidx);
      p.headroom = z->headroom(plan.highest_zoneidx);
      p.pcp = z->pcp;
      if (!allowed.empty() &&
          std::find(allowed.begin(), allowed.end(), ref.node) == allowed.end()) {
        p.why_not = Unreached::kNotAllowed;
      } else if (p.headroom == 0) {
        p.why_not = Unreached::kProtected;
      }
    }
    plan.positions.push_back(std::move(p));
  }
  for (std::size_t i = plan.positions.size(); i-- > 0;) {
    if (plan.positions[i].why_not == Unreached::kReached) {
      plan.last = i;
      break;
    }
  }
  if (plan.last) {
    std::uint64_t pages = 4 * chunk_pages;
    for (std::size_t i = 0; i < *plan.last; ++i) {
      if (plan.positions[i].why_not == Unreached::kReached) {
        pages += plan.positions[i].headroom + plan.positions[i].pcp;
      }
    }
    plan.budget_pages = pages;
  }
  return plan;
}

void FirstAppearance::add(const ZoneRef& ref, std::uint64_t pages, std::uint64_t chunk) {
  for (Appearance& a : order_) {
    if (a.ref == ref) {
      a.pages += pages;
      return;
    }
  }
  order_.push_back({.ref = ref, .pages = pages, .first_chunk = chunk});
}

bool FirstAppearance::seen(const ZoneRef& ref) const {
  return std::any_of(order_.begin(), order_.end(),
                     [&](const Appearance& a) { return a.ref == ref; });
}

Verdict compare_order(const Plan& plan, const std::vector<Appearance>& observed,
                      const std::vector<Unreached>& passed, Unreached stop_reason) {
  Verdict v;
  v.agree = !observed.empty();
  const std::size_t n = plan.positions.size();
  v.positions.resize(n, Unreached::kReached);
  std::vector<bool> decided(n, false);
  auto why_passed = [&](std::size_t j) {
    const Unreached known = plan.positions[j].why_not;
    if (known != Unreached::kReached) {
      return known;
    }
    return j < passed.size() ? passed[j] : Unreached::kReached;
  };
  auto bad = [&](std::size_t k) {
    v.agree = false;
    if (!v.first_bad) {
      v.first_bad = k;
    }
  };
  std::size_t next = 0;  // the first position not yet reached or passed
  for (std::size_t k = 0; k < observed.size(); ++k) {
    std::size_t i = n;
    for (std::size_t j = 0; j < n; ++j) {
      if (plan.positions[j].ref == observed[k].ref) {
        i = j;
        break;
      }
    }
    if (i == n) {
      v.outside.push_back(observed[k].ref);
      bad(k);
      continue;
    }
    if (i < next) {
      // appeared after a later position: fine when it was unusable when it was passed over
      if (v.positions[i] != Unreached::kReached) {
        v.positions[i] = Unreached::kLate;
      } else {
        bad(k);
      }
      continue;
    }
    for (std::size_t j = next; j < i; ++j) {
      decided[j] = true;
      v.positions[j] = why_passed(j);
      if (v.positions[j] == Unreached::kReached) {  // usable, yet passed over
        if (!v.skipped) {
          v.skipped = j;
        }
        bad(k);
      }
    }
    decided[i] = true;
    v.positions[i] = Unreached::kReached;
    next = i + 1;
  }
  for (std::size_t j = next; j < n; ++j) {
    if (decided[j]) {
      continue;
    }
    const Unreached known = plan.positions[j].why_not;
    if (known != Unreached::kReached) {
      v.positions[j] = known;
    } else if (plan.last && j > *plan.last) {
      v.positions[j] = Unreached::kStoppedBefore;
    } else {
      v.positions[j] = stop_reason;
    }
  }
  return v;
}

bool kernel_skips_kswapd_nodes(int major, int minor) {
  return major > 6 || (major == 6 && minor > 12);
}

}  // namespace zonelens::probe
