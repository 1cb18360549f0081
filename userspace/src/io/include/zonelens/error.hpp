// SPDX-License-Identifier: GPL-2.0-or-later
// The one error type of the I/O edges: a sentence naming the file and the fix.
#pragma once

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zonelens {

// `text` with every control character (C0, DEL) and every byte above 0x7e written as an escape
// (\r, \t, \n, \xNN): input quoted in a message can neither break the one-line message nor send
// terminal control sequences. The one escaper of messages: InputError applies it.
inline std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      std::array<char, 8> buf{};
      std::snprintf(buf.data(), buf.size(), "\\x%02x", static_cast<unsigned>(u));
      out += buf.data();
    }
  }
  return out;
}

// Raised for every input the tool cannot use (missing, unreadable, malformed, unstable). The
// message is one sentence, "FILE: what is wrong: what to do"; the CLI prints it and exits 2.
// Control characters of the message (quoted input, paths) are escaped.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::string_view message) : std::runtime_error(escape_controls(message)) {}
};

}  // namespace zonelens
