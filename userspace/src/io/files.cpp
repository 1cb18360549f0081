// SPDX-License-Identifier: GPL-2.0-or-later
// Reading whole files with errors that name the file and the fix: the one bounded reader of every
// parser's input.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "zonelens/error.hpp"
#include "zonelens/sources.hpp"

namespace zonelens {

namespace {

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { ::close(fd_); }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void read_error(const std::filesystem::path& path, int err) {
  if (err == EACCES || err == EPERM) {
    throw InputError(path.string() + ": permission denied: run as root");
  }
  if (err == EISDIR) {
    throw InputError(path.string() + " is a directory: pass the file instead");
  }
  throw InputError(path.string() + ": " + std::strerror(err) + ": check the path");
}

std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO";
  }
  if (S_ISCHR(mode) || S_ISBLK(mode)) {
    return "a device";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  return "not a regular file";
}

// O_NONBLOCK: opening a FIFO without a writer must not wait; it is refused below.
constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;

// The rest of read_text_file, on what open() returned (`raw`, errno when negative); `path_of()`
// gives the path for the messages (built only when one is needed).
template <typename PathOf>
std::string read_opened(int raw, const PathOf& path_of, std::string_view fix_if_missing) {
  if (raw < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      throw InputError(path_of().string() + " not found: " + std::string(fix_if_missing));
    }
    read_error(path_of(), err);
  }
  const Fd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    read_error(path_of(), errno);
  }
  // Only regular files: sysfs, procfs and debugfs files are regular too (with a size of 0 or a
  // page); a FIFO, a device (/dev/zero) or a socket could block or never end.
  if (!S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      read_error(path_of(), EISDIR);
    }
    throw InputError(path_of().string() + " is " + std::string(kind_of(st.st_mode)) +
                     ", not a regular file: pass the file itself (a copy, not a pipe or device)");
  }
  (void)::fcntl(fd.get(), F_SETFL, 0);  // back to blocking reads for the kernel's files
  // Regular files report their size, sysfs a page, debugfs and procfs 0: start from the hint and
  // grow until EOF, never past kMaxInputBytes (the bound is on bytes read, not on st_size).
  const bool sized = st.st_size > 0;
  if (sized && static_cast<std::uint64_t>(st.st_size) > kMaxInputBytes) {
    throw InputError(path_of().string() + " is larger than " +
                     std::to_string(kMaxInputBytes >> 20U) +
                     " MiB, which no kernel file or topology is: pass the right file");
  }
  const std::size_t hint = sized ? static_cast<std::size_t>(st.st_size) + 1 : 4096;
  // A regular file read up to exactly its size is at EOF: a short read of a regular file only
  // happens there, so the read that would return 0 is skipped (2048 of them for a 1024-node
  // root). sysfs attributes report a page and hold less, procfs and debugfs report 0: those
  // still read until a read returns 0.
  const std::size_t size = sized ? hint - 1 : 0;
  // A regular file of known size is read straight into its string. The others (a sysfs
  // attribute reports a page and holds a few bytes; 2,048 of them in a 1024-node root) go
  // through one buffer that keeps its capacity between calls, so that no call clears a page
  // it then copies ten bytes out of.
  thread_local std::string scratch;
  std::string direct;
  std::string& text = st.st_size > 4096 ? direct : scratch;
  std::size_t used = 0;
  if (text.size() < hint) {
    text.resize(hint);
  }
  while (size == 0 || used != size) {
    if (used == text.size()) {
      if (used > kMaxInputBytes) {
        throw InputError(path_of().string() + " holds more than " +
                         std::to_string(kMaxInputBytes >> 20U) +
                         " MiB, which no kernel file or topology does: pass the right file");
      }
      text.resize(std::min<std::size_t>(text.size() * 2, kMaxInputBytes + 1));
    }
    const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      read_error(path_of(), errno);
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  if (&text == &direct) {
    direct.resize(used);
    return direct;
  }
  if (scratch.size() > (std::size_t{1} << 20U)) {
    // a large file read without its size (a debugfs snapshot): hand the buffer out, keep none
    std::string out = std::move(scratch);
    scratch = std::string();
    out.resize(used);
    return out;
  }
  return {scratch.data(), used};
}

}  // namespace

std::string read_text_file(const std::filesystem::path& path, std::string_view fix_if_missing) {
  const int raw = ::open(path.c_str(), kOpenFlags);
  return read_opened(
      raw, [&path]() -> const std::filesystem::path& { return path; }, fix_if_missing);
}

std::string read_text_file_at(int dir_fd, const std::filesystem::path& dir, const std::string& name,
                              std::string_view fix_if_missing) {
  const int raw = ::openat(dir_fd, name.c_str(), kOpenFlags);
  return read_opened(
      raw, [&dir, &name] { return dir / name; }, fix_if_missing);
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
