// SPDX-License-Identifier: GPL-2.0-or-later
// Kernel release -> era (kEraTable) and zone predicate (docs/kernel-eras.md).
#include <array>
#include <charconv>

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

const EraRow& era_row(KernelEra era) {
  for (const EraRow& row : kEraTable) {
    if (row.era == era) {
      return row;
    }
  }
  return kEraTable.back();  // unreachable: every KernelEra has a row
}

KernelEra era_for(const KernelVersion& v) {
  for (const EraRow& row : kEraTable) {
    const bool from_first = series(v) >= series(row.first_major, row.first_minor);
    const bool to_last = row.last_major == 0 || series(v) <= series(row.last_major, row.last_minor);
    if (from_first && to_last) {
      return row.era;
    }
  }
  return kEraTable.back().era;  // unreachable: the rows cover every release
}

KernelVersion newest_release(KernelEra era) {
  const EraRow& row = era_row(era);
  if (row.last_major == 0) {
    return {row.first_major, row.first_minor, 0};
  }
  return {row.last_major, row.last_minor, 0};
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

std::string_view era_name(KernelEra era) { return era_row(era).name; }

std::optional<KernelEra> parse_era_name(std::string_view name) {
  for (const EraRow& row : kEraTable) {
    if (row.name == name || row.enumerator == name) {
      return row.era;
    }
  }
  return std::nullopt;
}

std::string_view zone_predicate_name(ZonePredicate p) {
  return p == ZonePredicate::kManaged ? "managed" : "populated";
}

}  // namespace zonelens
