// SPDX-License-Identifier: GPL-2.0-or-later
// The "schema" of every JSON document zonelens prints or writes (docs/json.md).
#pragma once

namespace zonelens {

// Raised when a key changes meaning or goes away, not when one is added.
inline constexpr int kJsonSchema = 1;

}  // namespace zonelens
