// SPDX-License-Identifier: GPL-2.0-or-later
// docs/kernel-eras.md's era table says what kEraTable (model.hpp) says, row by row.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/zonelist_order.hpp"

namespace zonelens {
namespace {

// The cells of every row of the table under "## Era table", header and rule lines left out.
std::vector<std::vector<std::string>> doc_rows() {
  std::ifstream in(ZONELENS_KERNEL_ERAS_MD);
  std::string line;
  bool in_section = false;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      in_section = line.starts_with("## Era table");
      continue;
    }
    if (!in_section || !line.starts_with("| `k")) {
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream s(line.substr(1));
    std::string cell;
    while (std::getline(s, cell, '|')) {
      const auto b = cell.find_first_not_of(' ');
      const auto e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    rows.push_back(cells);
  }
  return rows;
}

std::string releases(const EraRow& r) {
  const auto v = [](int major, int minor) {
    return std::to_string(major) + "." + std::to_string(minor);
  };
  if (r.first_major == 0) {
    return "≤ " + v(r.last_major, r.last_minor);
  }
  if (r.last_major == 0) {
    return v(r.first_major, r.first_minor) + " +";
  }
  if (r.first_major == r.last_major && r.first_minor == r.last_minor) {
    return v(r.first_major, r.first_minor);
  }
  return v(r.first_major, r.first_minor) + " – " + v(r.last_major, r.last_minor);
}

std::string load_write(const EraRow& r) {
  switch (r.load_write) {
    case LoadWrite::kAssign:
      return "`node_load[n] = load`";
    case LoadWrite::kAddLoad:
      return "`node_load[n] += load`";
    case LoadWrite::kAddOne:
      break;
  }
  return "`node_load[n] += 1`";
}

TEST(EraTable, DocsTableIsTheCodeTable) {
  const auto rows = doc_rows();
  ASSERT_EQ(rows.size(), kEraTable.size()) << ZONELENS_KERNEL_ERAS_MD;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const EraRow& r = kEraTable[i];
    const auto& cells = rows[i];
    ASSERT_EQ(cells.size(), 7U) << "row " << i;
    EXPECT_EQ(cells[0], "`" + std::string(r.enumerator) + "`");
    EXPECT_EQ(cells[1], releases(r)) << r.enumerator;
    EXPECT_EQ(cells[2], load_write(r)) << r.enumerator;
    EXPECT_EQ(cells[3], r.load_counter ? "`nr_online_nodes * MAX_NUMNODES`" : "`MAX_NUMNODES`")
        << r.enumerator;
    EXPECT_EQ(cells[4].find("possible") != std::string::npos, r.builds_possible_nodes)
        << r.enumerator;
    EXPECT_EQ(cells[4].find("zone** order") != std::string::npos, r.zone_order) << r.enumerator;
    EXPECT_EQ(cells[5], r.skips_memoryless_local ? "only if in `N_MEMORY`" : "always")
        << r.enumerator;
    EXPECT_EQ(cells[6], r.commit) << r.enumerator;
  }
}

// The rows cover every release once, in order, and every lookup derives from them.
TEST(EraTable, RowsAreContiguous) {
  for (std::size_t i = 0; i + 1 < kEraTable.size(); ++i) {
    const EraRow& a = kEraTable[i];
    const EraRow& b = kEraTable[i + 1];
    const bool next_minor = b.first_major == a.last_major && b.first_minor == a.last_minor + 1;
    const bool next_major = b.first_major == a.last_major + 1 && b.first_minor == 0;
    EXPECT_TRUE(next_minor || next_major) << a.enumerator << " -> " << b.enumerator;
  }
  for (const EraRow& r : kEraTable) {
    EXPECT_EQ(&era_row(r.era), &r);
    EXPECT_EQ(era_name(r.era), r.name);
    EXPECT_EQ(parse_era_name(r.name), r.era);
    const KernelVersion newest = newest_release(r.era);
    EXPECT_EQ(era_for(newest), r.era);
    EXPECT_EQ(release_has_zone_order(newest), r.zone_order);
    if (r.first_major != 0) {
      EXPECT_EQ(era_for({r.first_major, r.first_minor, 0}), r.era);
    }
  }
}

}  // namespace
}  // namespace zonelens
