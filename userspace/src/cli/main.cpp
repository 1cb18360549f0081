// SPDX-License-Identifier: GPL-2.0-or-later
#include <exception>
#include <iostream>

#include "zonelens/cli.hpp"

int main(int argc, char** argv) {
  try {
    return zonelens::cli::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "zonelens: internal error: " << e.what() << ": please report it\n";
    return zonelens::cli::kExitError;
  }
}
