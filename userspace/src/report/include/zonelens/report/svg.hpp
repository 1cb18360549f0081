// SPDX-License-Identifier: GPL-2.0-or-later
// The picture of show, predict and verify (--svg FILE): every node's fallback order at a glance.
// Rows are nodes, columns positions in ZONELIST_FALLBACK, each cell its zone ("2:Normal") coloured
// by node_distance(row's node, cell's node), a legend of the distances; on verify the cells where
// the live list and the prediction differ are marked. Pure: a string out.
#pragma once

#include <string>
#include <vector>

#include "zonelens/model.hpp"

namespace zonelens::report {

// The most nodes a picture draws (64 is the documented readable size; beyond this the picture
// grows past what a viewer shows: use --json).
inline constexpr std::size_t kSvgMaxNodes = 256;

struct SvgPicture {
  std::string title;                                      // one line above the grid
  const Topology* topology = nullptr;                     // distances and zone names
  const std::vector<NodeZonelists>* lists = nullptr;      // the rows, ascending node id
  const std::vector<NodeZonelists>* predicted = nullptr;  // verify: the model's lists, or nullptr
};

// The SVG document (UTF-8, trailing newline).
std::string render_svg(const SvgPicture& p);

}  // namespace zonelens::report
