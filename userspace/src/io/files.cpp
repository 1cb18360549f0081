// SPDX-License-Identifier: GPL-2.0-or-later
// Reading whole files with errors that name the file and the fix.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "zonelens/error.hpp"
#include "zonelens/sources.hpp"

namespace zonelens {

std::string read_text_file(const std::filesystem::path& path, std::string_view fix_if_missing) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      throw InputError(path.string() + " not found: " + std::string(fix_if_missing));
    }
    if (err == EACCES || err == EPERM) {
      throw InputError(path.string() + ": permission denied: run as root");
    }
    throw InputError(path.string() + ": " + std::strerror(err) + ": check the path");
  }
  std::string text;
  // Regular files report their size, sysfs a page, debugfs and procfs 0: start from the hint and
  // grow until EOF.
  struct stat st {};
  const bool sized = ::fstat(fd, &st) == 0 && st.st_size > 0;
  const std::size_t hint = sized ? static_cast<std::size_t>(st.st_size) + 1 : 4096;
  // A regular file read up to exactly its size is at EOF: a short read of a regular file only
  // happens there, so the read that would return 0 is skipped (2048 of them for a 1024-node
  // root). sysfs attributes report a page and hold less, procfs and debugfs report 0: those
  // still read until a read returns 0.
  const std::size_t size = sized && S_ISREG(st.st_mode) ? hint - 1 : 0;
  std::size_t used = 0;
  text.resize(hint);
  while (size == 0 || used != size) {
    if (used == text.size()) {
      text.resize(text.size() * 2);
    }
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      if (err == EACCES || err == EPERM) {
        throw InputError(path.string() + ": permission denied: run as root");
      }
      if (err == EISDIR) {
        throw InputError(path.string() + " is a directory: pass the file instead");
      }
      throw InputError(path.string() + ": " + std::strerror(err) + ": check the path");
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(used);
  return text;
}

OrderSources read_order_sources(const std::optional<std::filesystem::path>& root) {
  OrderSources s;
  const std::filesystem::path base = root ? *root : std::filesystem::path("/");
  const auto read_if_there = [](const std::filesystem::path& p, std::string& name) {
    name = p.string();
    std::error_code ec;
    if (!std::filesystem::exists(p, ec) && !ec) {
      return std::optional<std::string>{};  // not there; any other failure is read_text_file's
    }
    return std::optional<std::string>{read_text_file(p, "check the path")};
  };
  s.cmdline = read_if_there(base / "proc/cmdline", s.cmdline_file);
  s.sysctl = read_if_there(base / "proc/sys/vm/numa_zonelist_order", s.sysctl_file);
  return s;
}

}  // namespace zonelens
