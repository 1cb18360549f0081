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
// "populated" / "managed"
std::string predicate_text(const KernelLine& k);

}  // namespace zonelens::report
