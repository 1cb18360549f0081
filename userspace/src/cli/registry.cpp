// SPDX-License-Identifier: GPL-2.0-or-later
// The command table and the two-pass Boost.Program_options dispatch.
#include <algorithm>
#include <iostream>
#include <sstream>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/version.hpp"

namespace zonelens::cli {

namespace {

std::vector<const Action*>& registry() {
  static std::vector<const Action*> table;
  return table;
}

std::string usage_text() {
  std::ostringstream os;
  os << "usage: zonelens [--help] [--version] <command> [options]\n\n"
        "Show and verify Linux NUMA zonelists.\n\ncommands:\n";
  std::size_t width = 0;
  for (const Action* a : actions()) {
    width = std::max(width, a->name.size());
  }
  for (const Action* a : actions()) {
    os << "  " << a->name << std::string(width - a->name.size() + 3, ' ') << a->description << '\n';
  }
  os << "\nRun 'zonelens <command> --help' for the options of a command.\n"
        "Exit codes: 0 success (verify: all nodes match), 1 verify mismatch, 2 error.\n";
  return os.str();
}

// "usage: zonelens explain [options] NODE": the positional arguments by their value names.
std::string command_help(const Action& a, const po::options_description& opts,
                         const po::positional_options_description& positional) {
  std::ostringstream os;
  os << "usage: zonelens " << a.name << " [options]";
  const std::string* previous = nullptr;
  for (unsigned i = 0; i < positional.max_total_count(); ++i) {
    const std::string& name = positional.name_for_position(i);
    if (previous != nullptr && name == *previous) {
      os << "...";  // a repeated (unlimited) positional argument
      break;
    }
    previous = &name;
    const po::option_description* o = opts.find_nothrow(name, false);
    os << ' ' << (o != nullptr ? o->semantic()->name() : name);
  }
  os << "\n\n" << a.description << "\n\n" << opts;
  return os.str();
}

}  // namespace

Action::Action(std::string_view name_, std::string_view description_, GetArguments get_arguments_,
               Execute execute_)
    : name(name_), description(description_), get_arguments(get_arguments_), execute(execute_) {
  registry().push_back(this);
}

std::vector<const Action*> actions() {
  auto out = registry();
  std::sort(out.begin(), out.end(),
            [](const Action* a, const Action* b) { return a->name < b->name; });
  return out;
}

int run(int argc, const char* const* argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "zonelens: no command given: run 'zonelens --help' for the list\n";
    return kExitError;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h" || first == "help") {
    std::cout << usage_text();
    return kExitOk;
  }
  if (first == "--version") {
    std::cout << "zonelens " << kProjectVersion << '\n';
    return kExitOk;
  }
  const Action* action = nullptr;
  for (const Action* a : registry()) {
    if (a->name == first) {
      action = a;
    }
  }
  if (action == nullptr) {
    std::cerr << "zonelens: unknown command '" << first
              << "': run 'zonelens --help' for the list\n";
    return kExitError;
  }
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help");
  po::positional_options_description positional;
  action->get_arguments(opts, positional);
  po::variables_map vm;
  try {
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    po::store(po::command_line_parser(rest).options(opts).positional(positional).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << command_help(*action, opts, positional);
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "zonelens " << action->name << ": " << e.what() << ": see 'zonelens "
              << action->name << " --help'\n";
    return kExitError;
  }
  try {
    return action->execute(vm);
  } catch (const UsageError& e) {
    std::cerr << "zonelens " << action->name << ": " << e.what() << ": see 'zonelens "
              << action->name << " --help'\n";
  } catch (const InputError& e) {
    std::cerr << "zonelens: " << e.what() << '\n';
  }
  return kExitError;
}

}  // namespace zonelens::cli
