// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "zonelens/error.hpp"

namespace zonelens::test {

inline std::string fixture(const std::string& rel) {
  return std::string(ZONELENS_FIXTURES) + "/" + rel;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Replace the first occurrence of `from` by `to`; fails the test if absent.
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "fixture lacks '" << from << "'";
  if (pos != std::string::npos) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// The message of the InputError `f` throws ("" and a test failure when it does not throw).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

}  // namespace zonelens::test
