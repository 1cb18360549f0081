// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/report/json.hpp"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace zonelens::report {

void append_json_string(std::string& out, std::string_view s) {
  // nlohmann/json's serializer, the one JSON library of zonelens (it also parses every JSON input):
  // quotes, backslashes and control characters escaped; invalid UTF-8 replaced by U+FFFD, so the
  // document stays valid whatever bytes a name holds.
  out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

template <typename T>
void append_number(std::string& out, T v) {
  std::array<char, 24> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), end);
}

}  // namespace

void JsonWriter::newline(std::size_t depth) {
  sink_.text += '\n';
  sink_.text.append(2 * depth, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) {
    return;
  }
  Frame& f = stack_.back();
  if (f.object) {
    throw std::logic_error("JsonWriter: a value in an object needs a key");
  }
  if (!f.empty) {
    sink_.text += f.block && style_ == Style::kPretty ? "," : inline_separator();
  }
  if (f.block && style_ == Style::kPretty) {
    newline(stack_.size());
  }
  f.empty = false;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  if (stack_.empty() || !stack_.back().object || after_key_) {
    throw std::logic_error("JsonWriter: a key outside an object");
  }
  Frame& f = stack_.back();
  const bool pretty = style_ == Style::kPretty;
  if (!f.empty) {
    sink_.text += f.block && pretty ? "," : inline_separator();
  }
  if (f.block && pretty) {
    newline(stack_.size());
  }
  f.empty = false;
  append_json_string(sink_.text, k);
  sink_.text += pretty ? ": " : ":";
  after_key_ = true;
  return *this;
}

void JsonWriter::open(char c, Layout layout, bool object) {
  before_value();
  sink_.text += c;
  stack_.push_back(Frame{object, layout == Layout::kBlock, true});
}

JsonWriter& JsonWriter::object(Layout layout) {
  open('{', layout, true);
  return *this;
}

JsonWriter& JsonWriter::document() { return object().field("schema", kJsonSchema); }

JsonWriter& JsonWriter::array(Layout layout) {
  open('[', layout, false);
  return *this;
}

JsonWriter& JsonWriter::end() {
  if (stack_.empty() || after_key_) {
    throw std::logic_error("JsonWriter: end() without an open container");
  }
  const Frame f = stack_.back();
  stack_.pop_back();
  if (f.block && !f.empty && style_ == Style::kPretty) {
    newline(stack_.size());
  }
  sink_.text += f.object ? '}' : ']';
  if (f.block) {
    sink_.maybe_flush();
  }
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  before_value();
  append_json_string(sink_.text, s);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value();
  sink_.text += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t v) {
  before_value();
  append_number(sink_.text, v);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t v) {
  before_value();
  append_number(sink_.text, v);
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  sink_.text += "null";
  return *this;
}

JsonWriter& JsonWriter::ints(const std::vector<int>& v) {
  array(Layout::kInline);
  for (const int i : v) {
    value(i);
  }
  return end();
}

std::string& JsonWriter::raw_value() {
  before_value();
  return sink_.text;
}

void JsonWriter::finish() {
  sink_.text += '\n';
  sink_.maybe_flush();
}

}  // namespace zonelens::report
