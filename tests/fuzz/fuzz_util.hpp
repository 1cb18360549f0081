// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the fuzz targets: a parser may refuse its input (InputError) and nothing else; any
// other exception, a crash or a sanitizer report is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "zonelens/error.hpp"

namespace zonelens::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};  // NOLINT(*-reinterpret-cast)
}

// The input split at NUL bytes (the fuzz inputs' file separator).
inline std::vector<std::string_view> split_nul(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (true) {
    const std::size_t nul = text.find('\0', pos);
    if (nul == std::string_view::npos) {
      parts.push_back(text.substr(pos));
      return parts;
    }
    parts.push_back(text.substr(pos, nul - pos));
    pos = nul + 1;
  }
}

// Runs `parse`; a refusal is an answer, everything else propagates (libFuzzer reports it).
template <typename F>
void refused_or_parsed(F&& parse) {
  try {
    parse();
  } catch (const InputError&) {  // NOLINT(bugprone-empty-catch): refusing is the point
  }
}

}  // namespace zonelens::fuzz
