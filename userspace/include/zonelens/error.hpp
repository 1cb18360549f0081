// SPDX-License-Identifier: GPL-2.0-or-later
// The one error type of the I/O edges: a sentence naming the file and the fix.
#pragma once

#include <stdexcept>
#include <string>

namespace zonelens {

// Raised for every input the tool cannot use (missing, unreadable, malformed, unstable). The
// message is one sentence, "FILE: what is wrong: what to do"; the CLI prints it and exits 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace zonelens
