// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel line shared by the renderers (private to the report library).
#pragma once

#include <string>

#include "zonelens/report/reports.hpp"

namespace zonelens::report {

// "zonelist order: zone (REASON)\n" for a <= 4.13 kernel, "" otherwise.
std::string order_line(const KernelLine& k);
// "zonelist_order", "zonelist_order_reason": null for a 4.14+ kernel (node order only).
void order_fields(JsonWriter& w, const KernelLine& k);
// "arch: ppc64le (named by the source)\n": the architecture modelled, and why.
std::string arch_line(Arch arch, ArchOrigin origin);
std::string arch_line(const KernelLine& k);
// "arch", "arch_origin" (option, source, default).
void arch_fields(JsonWriter& w, Arch arch, ArchOrigin origin);
void arch_fields(JsonWriter& w, const KernelLine& k);
// "populated" / "managed"
std::string predicate_text(const KernelLine& k);

}  // namespace zonelens::report
