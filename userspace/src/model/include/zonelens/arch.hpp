// SPDX-License-Identifier: GPL-2.0-or-later
// What differs between the architectures zonelens models (docs/architectures.md): one table, each
// rule with the kernel code it comes from. Pure data: no I/O here.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace zonelens {

enum class Arch { kX86_64, kArm64, kPpc64 };

// What cpumask_of_node() holds when the boot build (build_all_zonelists(NULL)) runs, i.e. which
// nodes find_next_best_node() penalises as nodes with CPUs then.
enum class BootCpuMasks {
  kEmpty,    // no node has CPUs in its mask yet: no penalty at boot
  kPresent,  // every present CPU is in its node's mask already
};

// Where a source's architecture came from (the header line of every report says it).
enum class ArchOrigin {
  kOption,   // --arch
  kSource,   // the source names it: the module's `arch` line, proc/sys/kernel/arch, a topology
             // file's "arch"
  kDefault,  // the source names none: x86_64
};

struct ArchRow {
  Arch arch;
  std::string_view name;  // init_utsname()->machine, uname -m: what sources name
  // Other names --arch and topology files take: the Debian architecture, big-endian ppc64.
  std::array<std::string_view, 2> aliases;
  BootCpuMasks boot_masks;
  std::string_view boot_masks_source;  // the kernel code that sets the masks, and when
  // Zone names by index of Debian's kernels (a topology file without zone_names gets these).
  std::array<std::string_view, 5> zone_names;
};

inline constexpr std::array<ArchRow, 3> kArchTable{{
    {.arch = Arch::kX86_64,
     .name = "x86_64",
     .aliases = {"amd64", ""},
     .boot_masks = BootCpuMasks::kEmpty,
     .boot_masks_source = "numa_add_cpu() from identify_cpu(), reached from "
                          "arch_cpu_finalize_init(), after the boot build (arch/x86/mm/numa.c)",
     .zone_names = {"DMA", "DMA32", "Normal", "Movable", "Device"}},
    {.arch = Arch::kArm64,
     .name = "aarch64",
     .aliases = {"arm64", ""},
     .boot_masks = BootCpuMasks::kEmpty,
     .boot_masks_source = "arch_numa_init() clears the masks in setup_arch(); the first CPU "
                          "comes from smp_prepare_cpus(), after the boot build "
                          "(drivers/base/arch_numa.c, arch/arm64/kernel/smp.c)",
     .zone_names = {"DMA", "DMA32", "Normal", "Movable", "Device"}},
    {.arch = Arch::kPpc64,
     .name = "ppc64le",
     .aliases = {"ppc64el", "ppc64"},
     .boot_masks = BootCpuMasks::kPresent,
     .boot_masks_source = "setup_arch() -> mem_topology_setup() -> numa_setup_cpu() -> "
                          "map_cpu_to_node() for every present CPU, before start_kernel() "
                          "reaches the boot build (arch/powerpc/mm/numa.c)",
     .zone_names = {"Normal", "Movable", "Device", "", ""}},
}};

// The row of `arch`.
const ArchRow& arch_row(Arch arch);
// "x86_64", "aarch64", "ppc64le"
std::string_view arch_name(Arch arch);
// The architecture a name stands for: a row's name or one of its aliases; nullopt otherwise.
std::optional<Arch> parse_arch_name(std::string_view name);

}  // namespace zonelens
