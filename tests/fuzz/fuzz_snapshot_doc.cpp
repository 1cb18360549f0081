// SPDX-License-Identifier: GPL-2.0-or-later
// The document of `zonelens snapshot -o FILE` (JSON carrying the module's raw texts).
#include "fuzz_util.hpp"
#include "zonelens/workflow/snapshot_doc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zonelens::fuzz::refused_or_parsed([&] {
    (void)zonelens::workflow::parse_snapshot_doc(zonelens::fuzz::as_text(data, size), "doc.json");
  });
  return 0;
}
