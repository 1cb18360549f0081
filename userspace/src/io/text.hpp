// SPDX-License-Identifier: GPL-2.0-or-later
// Internal helpers of zonelens_io: line and token scanning without copies or regexes.
#pragma once

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace zonelens::io_detail {

// Walks a text line by line; the last line may lack its newline.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) {
      return false;
    }
    const std::size_t nl = text_.find('\n', pos_);
    const std::size_t end = nl == std::string_view::npos ? text_.size() : nl;
    line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  [[nodiscard]] int number() const { return number_; }  // 1-based number of the last line

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int number_ = 0;
};

// Splits on single spaces into `out` (cleared first, capacity kept). Empty tokens (two spaces)
// are kept so that strict callers can refuse them.
// Tokens are short (a zoneref, a distance): a byte loop beats a memchr call per token.
inline void split_spaces(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  const char* const data = line.data();
  const std::size_t size = line.size();
  std::size_t start = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == ' ') {
      out.emplace_back(data + start, i - start);
      start = i + 1;
    }
  }
  out.emplace_back(data + start, size - start);
}

// Splits on runs of blanks (spaces and tabs); no empty tokens.
inline void split_blanks(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
      ++pos;
    }
    std::size_t end = pos;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') {
      ++end;
    }
    if (end > pos) {
      out.push_back(line.substr(pos, end - pos));
    }
    pos = end;
  }
}

// A whole-token unsigned decimal (or hex with base 16); nullopt unless every character is used
// and the value fits T.
template <typename T>
std::optional<T> to_number(std::string_view token, int base = 10) {
  T value{};
  // Unsigned text only: from_chars would read "-5" into a signed T.
  if (token.empty() || token.front() == '-') {
    return std::nullopt;
  }
  // Decimal tokens short enough not to overflow T (node ids, distances, page counts): digits
  // only, as from_chars reads them.
  if (base == 10 && token.size() <= static_cast<std::size_t>(std::numeric_limits<T>::digits10)) {
    for (const char c : token) {
      const auto digit = static_cast<unsigned char>(c - '0');
      if (digit > 9) {
        return std::nullopt;
      }
      value = static_cast<T>((value * 10) + static_cast<T>(digit));
    }
    return value;
  }
  const auto* first = token.data();
  const auto* last = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(first, last, value, base);
  if (ec != std::errc() || ptr != last) {
    return std::nullopt;
  }
  return value;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  return s;
}

}  // namespace zonelens::io_detail
