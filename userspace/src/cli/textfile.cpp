// SPDX-License-Identifier: GPL-2.0-or-later
// The files a command writes besides stdout (--svg, --prometheus): whole or not at all.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"

namespace zonelens::cli {

namespace fs = std::filesystem;

void write_output_file(const fs::path& file, std::string_view text) {
  fs::path tmp = file;
  tmp += ".tmp";
  const auto fail = [&](const fs::path& what, const char* doing, int err) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw InputError(what.string() + ": " + doing + " failed (" + std::strerror(err) +
                     "): check that the directory exists and is writable");
  };
  {
    std::ofstream os(tmp, std::ios::binary | std::ios::trunc);
    if (!os) {
      fail(tmp, "create", errno);
    }
    os.write(text.data(), static_cast<std::streamsize>(text.size()));
    os.flush();
    if (!os) {
      fail(tmp, "write", errno);
    }
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    fail(file, "rename", errno);
  }
}

}  // namespace zonelens::cli
