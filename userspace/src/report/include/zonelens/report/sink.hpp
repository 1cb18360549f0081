// SPDX-License-Identifier: GPL-2.0-or-later
// Where renderers write: one buffer handed to a writer in large chunks (a 1024-node prediction is
// 20 MB of JSON: never hold it all, never write it line by line). The writer is the caller's
// (stdout in the CLI, a string in tests), so the report library does no I/O itself.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace zonelens::report {

class Sink {
 public:
  using Writer = std::function<void(std::string_view)>;
  explicit Sink(Writer write) : write_(std::move(write)) { text.reserve(kChunk + (kChunk / 4)); }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  Sink(Sink&&) = delete;
  Sink& operator=(Sink&&) = delete;
  ~Sink() = default;

  std::string text;
  // Hands the buffer to the writer once it holds a chunk; call between records.
  void maybe_flush() {
    if (text.size() >= kChunk) {
      flush();
    }
  }
  void flush() {
    if (!text.empty()) {
      write_(text);
      text.clear();
    }
  }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 20;
  Writer write_;
};

}  // namespace zonelens::report
