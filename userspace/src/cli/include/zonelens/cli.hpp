// SPDX-License-Identifier: GPL-2.0-or-later
// The zonelens command table (modelled on Ceph rbd's Action registry). Each command is one file in
// userspace/src/cli/actions/ that defines a static Action; constructing it registers the command.
//
//   namespace {
//   void get_arguments(po::options_description& opts, po::positional_options_description& pos) {
//     cli::add_root_option(opts);
//     cli::add_json_option(opts);
//   }
//   int execute(const po::variables_map& vm) { ...; return cli::kExitOk; }
//   const cli::Action kAction{"name", "one-line description", get_arguments, execute};
//   }  // namespace
#pragma once

#include <boost/program_options.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/report/reports.hpp"
#include "zonelens/report/svg.hpp"
#include "zonelens/sources.hpp"
#include "zonelens/zonelist_order.hpp"

namespace zonelens::cli {

namespace po = boost::program_options;

inline constexpr int kExitOk = 0;        // success; verify: every node matches
inline constexpr int kExitMismatch = 1;  // verify: some node differs
inline constexpr int kExitError = 2;     // bad input or usage: one sentence on stderr

// Bad command-line usage; the message is printed with the command's name and a --help hint.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Action {
  using GetArguments = void (*)(po::options_description& options,
                                po::positional_options_description& positional);
  // Writes to stdout, returns the exit code; throws InputError/UsageError for exit code 2.
  using Execute = int (*)(const po::variables_map& vm);

  Action(std::string_view name, std::string_view description, GetArguments get_arguments,
         Execute execute);

  std::string_view name;
  std::string_view description;
  GetArguments get_arguments;
  Execute execute;
};

// Every registered action, sorted by name.
std::vector<const Action*> actions();

// The whole program: global --help/--version, the command, its options. Returns the exit code.
int run(int argc, const char* const* argv);

// ---- shared options (one spelling everywhere) ----
void add_root_option(po::options_description& opts);      // --root DIR
void add_topology_option(po::options_description& opts);  // --topology FILE
void add_kernel_option(po::options_description& opts);    // --kernel REL and --arch NAME
void add_arch_option(po::options_description& opts);      // --arch NAME
// --context boot|runtime; `without` says what the command does without it.
void add_context_option(po::options_description& opts, std::string_view without);
void add_json_option(po::options_description& opts);  // --json
// --wait SECONDS: how long to wait for the module's files to settle (module_wait()).
void add_wait_option(po::options_description& opts);
void add_svg_option(po::options_description& opts);  // --svg FILE
// The model's inputs of predict and explain: --root, --topology, --kernel, --context,
// --zonelist-order and --json.
void add_model_options(po::options_description& opts);
void add_zonelist_order_option(
    po::options_description& opts);  // --zonelist-order node|zone|default

// --root DIR, --topology FILE or the running machine (module snapshot when loaded, else sysfs).
Observation observe(const po::variables_map& vm);
// The module's state (required), live or under --root, settled (waiting up to --wait).
ModuleState read_module_state(const po::variables_map& vm, ModuleTexts* texts = nullptr);
// --wait as a duration (UsageError when negative or not finite).
ModuleWait module_wait(const po::variables_map& vm);
std::optional<std::filesystem::path> root_of(const po::variables_map& vm);
// --kernel REL if given, else the topology's release; UsageError/InputError when unparsable.
// rules.arch: --arch NAME if given, else the architecture the topology names, else x86_64.
struct KernelChoice {
  std::string release;
  KernelVersion version;
  EraRules rules;
  ArchOrigin arch_origin = ArchOrigin::kDefault;
  std::optional<ZonelistOrderChoice> order;  // set by apply_zonelist_order()
  // The source has no release (an hwloc capture): version is the newest era's (kEraTable).
  bool release_assumed = false;
};
KernelChoice kernel_choice(const po::variables_map& vm, const Topology& topo);
// The architecture part of kernel_choice(): UsageError for an unknown --arch, InputError when the
// source names an architecture zonelens does not model.
struct ArchChoice {
  Arch arch = Arch::kX86_64;
  ArchOrigin origin = ArchOrigin::kDefault;
};
ArchChoice arch_choice(const po::variables_map& vm, const Topology& topo);
// --zonelist-order as given (UsageError for anything but node, zone, default); nullopt when absent.
std::optional<OrderRequest> zonelist_order_option(const po::variables_map& vm);
// What this source told a kernel of release `v`: --zonelist-order, and for <= 4.13 sources other
// than --topology the (root's or live) /proc/cmdline and /proc/sys/vm/numa_zonelist_order.
OrderSources order_sources(const po::variables_map& vm, const KernelVersion& v);
// choose_zonelist_order() for the command line: its warnings go to stderr (each once), its
// refusal is an InputError.
ZonelistOrderChoice zonelist_order_for(const Topology& topo, const KernelVersion& v,
                                       const OrderSources& sources);
// The one place predict, verify and explain decide the zonelist order: sets k.order and
// k.rules.zonelist_order.
void apply_zonelist_order(const po::variables_map& vm, const Topology& topo, KernelChoice& k);
// The kernel line of the reports (report::KernelLine) for this choice.
report::KernelLine kernel_line(const KernelChoice& k);
// The rebuild context predict and explain report: resolve_context with the module's files when
// the source has them and --context is not given (its reason notes when no context reproduces
// the live lists); --context as given, not compared with the live lists; else boot.
ContextCandidate command_context(const po::variables_map& vm, const Observation& o,
                                 const EraRules& rules);
// --context as given; nullopt when absent.
std::optional<RebuildKind> context_option(const po::variables_map& vm);
[[nodiscard]] bool json_wanted(const po::variables_map& vm);

// --svg FILE: writes `picture` to FILE (InputError naming FILE when it cannot be written, or when
// the picture has more than report::kSvgMaxNodes rows). Nothing without --svg.
void write_svg(const po::variables_map& vm, const report::SvgPicture& picture);
[[nodiscard]] bool svg_wanted(const po::variables_map& vm);

// Writes `text` to `file` through FILE.tmp in the same directory and a rename, so that a reader
// (node_exporter, a browser) sees the old file or the new one, never a part; InputError names the
// file that could not be created, written or renamed.
void write_output_file(const std::filesystem::path& file, std::string_view text);

// ---- output ----
// stdout through one report::Sink buffer, written out in large chunks.
class Output : public report::Sink {
 public:
  Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  Output(Output&&) = delete;
  Output& operator=(Output&&) = delete;
  ~Output();
};

// Renders `r` to stdout (its JSON renderer with --json, else its text one); returns `exit_code`.
template <typename Report>
int print_report(const po::variables_map& vm, const Report& r, int exit_code = kExitOk) {
  Output sink;
  report::render(sink, r, json_wanted(vm));
  sink.flush();
  return exit_code;
}

}  // namespace zonelens::cli
