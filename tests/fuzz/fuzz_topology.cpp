// SPDX-License-Identifier: GPL-2.0-or-later
// What-if topology files (JSON).
#include "fuzz_util.hpp"
#include "zonelens/sources.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zonelens::fuzz::refused_or_parsed([&] {
    (void)zonelens::parse_topology_json(zonelens::fuzz::as_text(data, size), "topology.json");
  });
  return 0;
}
