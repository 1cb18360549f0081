// SPDX-License-Identifier: GPL-2.0-or-later
// The one JSON writer of every command (docs/json.md): a streaming layout over nlohmann/json's
// escaping, into a Sink (a 1024-node prediction is streamed, not built as a DOM).
// Style kPretty: an object or array opened as a block puts each member on its own line, indented
// by two spaces a level; one opened inline keeps its members on one line, ", " between them.
// "key": value everywhere. Style kCompact (JSON lines, watch): no whitespace at all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/report/sink.hpp"
#include "zonelens/workflow/json_schema.hpp"

namespace zonelens::report {

// `s` as a JSON string literal, appended to `out` (nlohmann/json's escaping).
void append_json_string(std::string& out, std::string_view s);

class JsonWriter {
 public:
  enum class Style { kPretty, kCompact };
  enum class Layout { kBlock, kInline };

  JsonWriter(Sink& sink, Style style) : sink_(sink), style_(style) {}

  // Opens a document: its top-level block object, with "schema" as its first member.
  JsonWriter& document();
  JsonWriter& object(Layout layout = Layout::kBlock);
  JsonWriter& array(Layout layout = Layout::kBlock);
  JsonWriter& end();  // closes the innermost object or array
  JsonWriter& key(std::string_view k);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(unsigned v) { return value(static_cast<std::uint64_t>(v)); }
  JsonWriter& null();
  // An inline array of ints.
  JsonWriter& ints(const std::vector<int>& v);
  // key(k).value(v)
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  // For a value the caller renders itself (the zonelist fast path): the separator is written, the
  // caller appends exactly one complete JSON value to the returned buffer.
  std::string& raw_value();
  // The separator between the members of an inline container: ", " or ",".
  [[nodiscard]] std::string_view inline_separator() const {
    return style_ == Style::kPretty ? ", " : ",";
  }
  // Ends the document: a newline, the buffer flushed if it is large.
  void finish();
  Sink& sink() { return sink_; }

 private:
  struct Frame {
    bool object = true;
    bool block = true;
    bool empty = true;
  };
  void before_value();
  void open(char c, Layout layout, bool object);
  void newline(std::size_t depth);

  Sink& sink_;
  Style style_;
  std::vector<Frame> stack_;
  bool after_key_ = false;
};

}  // namespace zonelens::report
