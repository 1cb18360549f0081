// SPDX-License-Identifier: GPL-2.0-or-later
// Lookups in the architecture table (zonelens/arch.hpp).
#include "zonelens/arch.hpp"

#include <algorithm>

namespace zonelens {

const ArchRow& arch_row(Arch arch) {
  const auto* row = std::ranges::find(kArchTable, arch, &ArchRow::arch);
  return row != kArchTable.end() ? *row : kArchTable.front();
}

std::string_view arch_name(Arch arch) { return arch_row(arch).name; }

std::optional<Arch> parse_arch_name(std::string_view name) {
  if (name.empty()) {
    return std::nullopt;
  }
  for (const ArchRow& row : kArchTable) {
    if (row.name == name || std::ranges::find(row.aliases, name) != row.aliases.end()) {
      return row.arch;
    }
  }
  return std::nullopt;
}

}  // namespace zonelens
