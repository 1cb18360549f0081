// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/idlist.hpp"

#include <algorithm>

#include "text.hpp"

namespace zonelens {

std::optional<std::vector<int>> parse_id_list(std::string_view text, int limit) {
  text = io_detail::trim(text);
  std::vector<int> ids;
  if (text.empty() || text == "-") {
    return ids;
  }
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) {
      comma = text.size();
    }
    const std::string_view elem = text.substr(pos, comma - pos);
    const std::size_t dash = elem.find('-');
    const auto first = io_detail::to_number<int>(elem.substr(0, dash));
    const auto last =
        dash == std::string_view::npos ? first : io_detail::to_number<int>(elem.substr(dash + 1));
    if (!first || !last || *first > *last || *last >= limit) {
      return std::nullopt;
    }
    for (int id = *first; id <= *last; ++id) {
      ids.push_back(id);
    }
    pos = comma + 1;
  }
  // The kernel prints ascending lists; accept any order but hand back a clean set.
  bool sorted_unique = true;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (ids[i - 1] >= ids[i]) {
      sorted_unique = false;
      break;
    }
  }
  if (!sorted_unique) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  return ids;
}

std::string format_id_list(const std::vector<int>& ids) {
  if (ids.empty()) {
    return "-";
  }
  std::string out;
  std::size_t i = 0;
  while (i < ids.size()) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) {
      ++j;
    }
    if (!out.empty()) {
      out += ',';
    }
    out += std::to_string(ids[i]);
    if (j > i) {
      out += '-';
      out += std::to_string(ids[j]);
    }
    i = j + 1;
  }
  return out;
}

}  // namespace zonelens
