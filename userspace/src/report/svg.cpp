// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/report/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "zonelens/report/lists.hpp"

namespace zonelens::report {

namespace {

constexpr int kMargin = 16;
constexpr int kTitleY = 26;
constexpr int kLegendY = 46;
constexpr int kGridTop = 92;  // the first row; the position numbers sit above it
constexpr int kRowHeight = 22;
constexpr int kCellHeight = 18;
constexpr int kLabelWidth = 84;
constexpr int kCharWidth = 7;  // 11 px monospace
constexpr int kCellPadding = 10;
constexpr int kMinCellWidth = 44;
constexpr int kLegendSwatch = 14;

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Green (near) to red (far) in `count` steps, light enough for black text: "#rrggbb".
std::string distance_colour(std::size_t rank, std::size_t count) {
  const double t = count <= 1 ? 0.0 : static_cast<double>(rank) / static_cast<double>(count - 1);
  const double hue = 130.0 * (1.0 - t);  // degrees: 130 green .. 0 red
  const double s = 0.65;
  const double l = 0.72;
  const double c = (1.0 - std::fabs((2.0 * l) - 1.0)) * s;
  const double hp = hue / 60.0;
  const double x = c * (1.0 - std::fabs(std::fmod(hp, 2.0) - 1.0));
  double r = 0;
  double g = 0;
  double b = 0;
  if (hp < 1) {
    r = c;
    g = x;
  } else if (hp < 2) {
    r = x;
    g = c;
  } else {
    g = c;
    b = x;
  }
  const double m = l - (c / 2.0);
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "#%02x%02x%02x",
                static_cast<unsigned>(std::lround((r + m) * 255.0)),
                static_cast<unsigned>(std::lround((g + m) * 255.0)),
                static_cast<unsigned>(std::lround((b + m) * 255.0)));
  return buf.data();
}

std::string num(int v) { return std::to_string(v); }

const NodeZonelists* find_node(const std::vector<NodeZonelists>* lists, NodeId id) {
  if (lists == nullptr) {
    return nullptr;
  }
  for (const auto& n : *lists) {
    if (n.node == id) {
      return &n;
    }
  }
  return nullptr;
}

}  // namespace

std::string render_svg(const SvgPicture& p) {
  const Topology& topo = *p.topology;
  const std::vector<NodeZonelists>& rows = *p.lists;
  const bool verify = p.predicted != nullptr;
  // Columns: the longest list, the predictions' included (a missing live position is marked).
  std::size_t columns = 0;
  std::size_t widest = 5;  // "(end)"
  std::set<int> distances;
  for (const auto& n : rows) {
    columns = std::max(columns, n.fallback.size());
    if (const auto* q = find_node(p.predicted, n.node)) {
      columns = std::max(columns, q->fallback.size());
    }
    for (const auto& ref : n.fallback) {
      std::string t;
      append_zoneref(t, topo, ref);
      widest = std::max(widest, t.size());
      distances.insert(topo.distance.at(n.node, ref.node));
    }
  }
  std::map<int, std::string> colour;
  {
    std::size_t rank = 0;
    for (const int d : distances) {
      colour[d] = distance_colour(rank++, distances.size());
    }
  }
  const int cell_width =
      std::max(kMinCellWidth, (static_cast<int>(widest) * kCharWidth) + kCellPadding);
  const int grid_left = kMargin + kLabelWidth;
  auto legend_label = [](int d) { return num(d) + (d == kLocalDistance ? " local" : ""); };
  auto legend_step = [&legend_label](int d) {
    return kLegendSwatch + 4 + (static_cast<int>(legend_label(d).size()) * kCharWidth) + 18;
  };
  int legend_width = kMargin + 90 + (verify ? 260 : 0) + kMargin;
  for (const int d : distances) {
    legend_width += legend_step(d);
  }
  const int title_width = kMargin + (static_cast<int>(p.title.size()) * 9) + kMargin;
  const int width = std::max(
      {grid_left + (static_cast<int>(columns) * cell_width) + kMargin, legend_width, title_width});
  const int height = kGridTop + (static_cast<int>(rows.size()) * kRowHeight) + kMargin;

  std::string s;
  s += R"(<?xml version="1.0" encoding="UTF-8"?>)";
  s += "\n<svg xmlns='http://www.w3.org/2000/svg' width='" + num(width) + "' height='" +
       num(height) + "' viewBox='0 0 " + num(width) + " " + num(height) +
       "' font-family='DejaVu Sans Mono, monospace' font-size='11'>\n";
  s += "<title>" + xml_escape(p.title) + "</title>\n";
  s += "<rect width='100%' height='100%' fill='#ffffff'/>\n";
  s += "<text x='" + num(kMargin) + "' y='" + num(kTitleY) +
       "' font-size='14' font-weight='bold'>" + xml_escape(p.title) + "</text>\n";
  // Legend.
  int x = kMargin;
  s += "<g class='legend'>\n<text x='" + num(x) + "' y='" + num(kLegendY + 11) +
       "'>distance:</text>\n";
  x += 90;
  for (const auto& [d, fill] : colour) {
    s += "<rect x='" + num(x) + "' y='" + num(kLegendY) + "' width='" + num(kLegendSwatch) +
         "' height='" + num(kLegendSwatch) + "' fill='" + fill + "' stroke='#555555'/>";
    s += "<text x='" + num(x + kLegendSwatch + 4) + "' y='" + num(kLegendY + 11) + "'>" +
         legend_label(d) + "</text>\n";
    x += legend_step(d);
  }
  if (verify) {
    s += "<rect x='" + num(x) + "' y='" + num(kLegendY) + "' width='" + num(kLegendSwatch) +
         "' height='" + num(kLegendSwatch) + "' fill='none' stroke='#d00000' stroke-width='3'/>";
    s += "<text x='" + num(x + kLegendSwatch + 4) + "' y='" + num(kLegendY + 11) +
         "'>live differs from the prediction</text>\n";
  }
  s += "</g>\n";
  // Position numbers.
  s += "<g class='positions' font-size='10' fill='#555555' text-anchor='middle'>\n";
  for (std::size_t c = 0; c < columns; ++c) {
    s += "<text x='" + num(grid_left + (static_cast<int>(c) * cell_width) + (cell_width / 2)) +
         "' y='" + num(kGridTop - 6) + "'>" + std::to_string(c) + "</text>";
  }
  s += "\n</g>\n";
  // Rows.
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const NodeZonelists& n = rows[r];
    const NodeZonelists* q = find_node(p.predicted, n.node);
    const int y = kGridTop + (static_cast<int>(r) * kRowHeight);
    s += "<g class='node' id='node-" + num(n.node) + "'>\n<text x='" + num(kMargin) + "' y='" +
         num(y + 13) + "' font-weight='bold'>node " + num(n.node) + "</text>\n";
    const std::size_t cells = std::max(n.fallback.size(), q != nullptr ? q->fallback.size() : 0);
    for (std::size_t c = 0; c < cells; ++c) {
      const int cx = grid_left + (static_cast<int>(c) * cell_width);
      const std::optional<ZoneRef> live =
          c < n.fallback.size() ? std::optional(n.fallback[c]) : std::nullopt;
      const std::optional<ZoneRef> want =
          q != nullptr && c < q->fallback.size() ? std::optional(q->fallback[c]) : std::nullopt;
      const bool differs = verify && !(live == want);
      const std::string fill =
          live ? colour[topo.distance.at(n.node, live->node)] : std::string("#ffffff");
      s += "<rect x='" + num(cx + 1) + "' y='" + num(y) + "' width='" + num(cell_width - 2) +
           "' height='" + num(kCellHeight) + "' fill='" + fill + "' stroke='#888888'/>";
      s += "<text x='" + num(cx + (cell_width / 2)) + "' y='" + num(y + 13) +
           "' text-anchor='middle'>" + xml_escape(side_text(topo, live)) + "</text>";
      if (differs) {
        s += "<rect class='mismatch' x='" + num(cx + 2) + "' y='" + num(y + 1) + "' width='" +
             num(cell_width - 4) + "' height='" + num(kCellHeight - 2) +
             "' fill='none' stroke='#d00000' stroke-width='3'><title>node " + num(n.node) +
             " position " + std::to_string(c) + ": live " + xml_escape(side_text(topo, live)) +
             ", predicted " + xml_escape(side_text(topo, want)) + "</title></rect>";
      }
    }
    s += "\n</g>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace zonelens::report
