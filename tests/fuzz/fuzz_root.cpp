// SPDX-License-Identifier: GPL-2.0-or-later
// The sysfs/procfs root readers over an in-memory tree: PATH \0 CONTENT \0 PATH \0 CONTENT ...
// (paths relative to the root, e.g. sys/devices/system/node/online).
#include <map>
#include <string>

#include "fuzz_util.hpp"
#include "zonelens/sources.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace zonelens;
  const auto parts = fuzz::split_nul(fuzz::as_text(data, size));
  std::map<std::string, std::string_view, std::less<>> tree;
  for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
    tree.emplace("/root/" + std::string(parts[i]), parts[i + 1]);
  }
  const FileReader read = [&](const std::filesystem::path& path, std::string_view fix) {
    const auto it = tree.find(path.string());
    if (it == tree.end()) {
      throw InputError(path.string() + " not found: " + std::string(fix));
    }
    return std::string(it->second);
  };
  fuzz::refused_or_parsed([&] { (void)read_root_topology("/root", read); });
  return 0;
}
