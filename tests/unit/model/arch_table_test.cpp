// SPDX-License-Identifier: GPL-2.0-or-later
// The architecture table (zonelens/arch.hpp): names, and docs/architectures.md's table says what
// kArchTable says, row by row.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "zonelens/arch.hpp"

namespace zonelens {
namespace {

TEST(ArchTable, NamesAndAliases) {
  EXPECT_EQ(parse_arch_name("x86_64"), Arch::kX86_64);
  EXPECT_EQ(parse_arch_name("amd64"), Arch::kX86_64);
  EXPECT_EQ(parse_arch_name("aarch64"), Arch::kArm64);
  EXPECT_EQ(parse_arch_name("arm64"), Arch::kArm64);
  EXPECT_EQ(parse_arch_name("ppc64le"), Arch::kPpc64);
  EXPECT_EQ(parse_arch_name("ppc64el"), Arch::kPpc64);
  EXPECT_EQ(parse_arch_name("ppc64"), Arch::kPpc64);
  EXPECT_EQ(parse_arch_name(""), std::nullopt);  // an empty alias slot is no name
  EXPECT_EQ(parse_arch_name("riscv64"), std::nullopt);
  EXPECT_EQ(arch_name(Arch::kPpc64), "ppc64le");
}

// Every row's line of the "## Architecture table" in docs/architectures.md starts with
// "| `NAME` | BOOT MASKS |".
TEST(ArchTable, DocsTableIsTheCodeTable) {
  std::ifstream in(ZONELENS_ARCHITECTURES_MD);
  ASSERT_TRUE(in) << ZONELENS_ARCHITECTURES_MD;
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto section = doc.find("## Architecture table");
  ASSERT_NE(section, std::string::npos);
  for (const ArchRow& row : kArchTable) {
    const std::string masks = row.boot_masks == BootCpuMasks::kEmpty ? "empty" : "present CPUs";
    const std::string line = "| `" + std::string(row.name) + "` | " + masks + " |";
    EXPECT_NE(doc.find(line, section), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace zonelens
