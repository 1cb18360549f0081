// SPDX-License-Identifier: GPL-2.0-or-later
// Kernel release -> era and zone predicate (docs/kernel-eras.md).
#include <array>
#include <charconv>
#include <utility>

#include "zonelens/model.hpp"

namespace zonelens {
namespace {

// (major, minor) as one comparable number.
constexpr int series(int major, int minor) { return (major * 1000) + minor; }
int series(const KernelVersion& v) { return series(v.major, v.minor); }

// Reads a decimal number at the front of `s`; advances `s` past it.
std::optional<int> take_number(std::string_view& s) {
  int value = 0;
  const auto* first = s.data();
  const auto* last = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr == first || value < 0) {
    return std::nullopt;
  }
  s.remove_prefix(static_cast<std::size_t>(ptr - first));
  return value;
}

// Stable series that took e553f62f10d9 ("mm, page_alloc: fix build_zonerefs_node()") and the first
// release of each that has it.
struct Backport {
  int major;
  int minor;
  int first_patch;
};
constexpr std::array<Backport, 6> kPopulatedBackports{{
    {4, 9, 311},
    {4, 14, 276},
    {4, 19, 239},
    {5, 4, 190},
    {5, 10, 112},
    {5, 15, 35},
}};

struct EraName {
  KernelEra era;
  std::string_view name;
  std::string_view enumerator;
};
constexpr std::array<EraName, 6> kEraNames{{
    {KernelEra::kPre414, "<=4.13", "kPre414"},
    {KernelEra::k414, "4.14-5.15", "k414"},
    {KernelEra::k516, "5.16-5.17", "k516"},
    {KernelEra::k518, "5.18", "k518"},
    {KernelEra::k519, "5.19-6.6", "k519"},
    {KernelEra::k607, "6.7+", "k607"},
}};

}  // namespace

std::optional<KernelVersion> parse_kernel_release(std::string_view release) {
  KernelVersion v;
  const auto major = take_number(release);
  if (!major || release.empty() || release.front() != '.') {
    return std::nullopt;
  }
  release.remove_prefix(1);
  const auto minor = take_number(release);
  if (!minor) {
    return std::nullopt;
  }
  v.major = *major;
  v.minor = *minor;
  if (!release.empty() && release.front() == '.') {
    release.remove_prefix(1);
    if (const auto patch = take_number(release)) {
      v.patch = *patch;
    }
  }
  return v;
}

KernelEra era_for(const KernelVersion& v) {
  const int s = series(v);
  if (s < series(4, 14)) {
    return KernelEra::kPre414;
  }
  if (s < series(5, 16)) {
    return KernelEra::k414;
  }
  if (s < series(5, 18)) {
    return KernelEra::k516;
  }
  if (s == series(5, 18)) {
    return KernelEra::k518;
  }
  if (s < series(6, 7)) {
    return KernelEra::k519;
  }
  return KernelEra::k607;
}

ZonePredicate zone_predicate_for(const KernelVersion& v) {
  const int s = series(v);
  // managed_zone() came with 6aa303defb74 (4.8) and left with e553f62f10d9 (5.18-rc2).
  if (s < series(4, 8) || s >= series(5, 18)) {
    return ZonePredicate::kPopulated;
  }
  for (const auto& b : kPopulatedBackports) {
    if (v.major == b.major && v.minor == b.minor && v.patch >= b.first_patch) {
      return ZonePredicate::kPopulated;
    }
  }
  return ZonePredicate::kManaged;
}

EraRules rules_for(const KernelVersion& v) {
  return EraRules{.era = era_for(v), .zone_predicate = zone_predicate_for(v)};
}

std::optional<EraRules> rules_for_release(std::string_view release) {
  const auto v = parse_kernel_release(release);
  if (!v) {
    return std::nullopt;
  }
  return rules_for(*v);
}

std::string_view era_name(KernelEra era) {
  for (const auto& e : kEraNames) {
    if (e.era == era) {
      return e.name;
    }
  }
  return "unknown";
}

std::optional<KernelEra> parse_era_name(std::string_view name) {
  for (const auto& e : kEraNames) {
    if (e.name == name || e.enumerator == name) {
      return e.era;
    }
  }
  return std::nullopt;
}

std::string_view zone_predicate_name(ZonePredicate p) {
  return p == ZonePredicate::kManaged ? "managed" : "populated";
}

bool era_builds_possible_nodes(KernelEra era) {
  return era == KernelEra::k518 || era == KernelEra::k519 || era == KernelEra::k607;
}
bool era_skips_memoryless_local(KernelEra era) { return era == KernelEra::k607; }
bool era_uses_load_counter(KernelEra era) {
  return era == KernelEra::kPre414 || era == KernelEra::k414 || era == KernelEra::k516 ||
         era == KernelEra::k518;
}

}  // namespace zonelens
