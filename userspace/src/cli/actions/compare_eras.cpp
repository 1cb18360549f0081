// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens compare-eras --kernel A --kernel B: what changes in the lists when this machine moves
// from one kernel era to another. (predict takes one --kernel, so this is its own command.)
#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/workflow/eras.hpp"

namespace zonelens::cli {
namespace {

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  opts.add_options()("kernel", po::value<std::vector<std::string>>()->value_name("REL|ERA"),
                     "a kernel release (6.1.0) or era name (5.19-6.6); give it twice (from, to), "
                     "or once to compare the source's own release with it");
  add_root_option(opts);
  add_topology_option(opts);
  add_arch_option(opts);
  add_context_option(opts, "boot");
  add_zonelist_order_option(opts);
  add_json_option(opts);
}

struct Side {
  std::string name;
  EraRules rules;
  KernelVersion version;  // an era name stands for its newest release (4.13 for <=4.13)
  std::string order_reason;
};

Side side_of(const std::string& spec, const EraRules& fallback) {
  if (auto v = parse_kernel_release(spec)) {
    return {spec, rules_for(*v), *v, ""};
  }
  if (auto era = parse_era_name(spec)) {
    EraRules r = fallback;
    r.era = *era;
    return {spec, r, newest_release(*era), ""};
  }
  throw UsageError("--kernel '" + spec +
                   "' is neither a release like 6.1.0 nor an era name like "
                   "5.19-6.6");
}

int execute(const po::variables_map& vm) {
  const auto specs = vm.count("kernel") != 0 ? vm["kernel"].as<std::vector<std::string>>()
                                             : std::vector<std::string>{};
  if (specs.empty() || specs.size() > 2) {
    throw UsageError("give --kernel once (compare with the source's release) or twice (from, to)");
  }
  const Observation o = observe(vm);
  const auto own = rules_for_release(o.topology.kernel_release);
  const EraRules base = own.value_or(EraRules{});
  if (specs.size() == 1 && !own) {
    throw InputError("kernel release '" + o.topology.kernel_release +
                     "' of the source is not like 6.12.0: pass --kernel twice");
  }
  Side from = side_of(specs.size() == 2 ? specs[0] : o.topology.kernel_release, base);
  Side to = side_of(specs.back(), base);
  // --zonelist-order applies to the sides up to 4.13 (4.14+ builds node order only); it is refused
  // only when no side has zone order. The files are the same for both sides.
  const bool from_zone = release_has_zone_order(from.version);
  const bool to_zone = release_has_zone_order(to.version);
  const OrderSources sources = order_sources(vm, from_zone || !to_zone ? from.version : to.version);
  for (Side* side : {&from, &to}) {
    OrderSources s = sources;
    if (!release_has_zone_order(side->version) && (from_zone || to_zone)) {
      s.option.reset();
    }
    const ZonelistOrderChoice c = zonelist_order_for(o.topology, side->version, s);
    side->rules.zonelist_order = c.order;
    side->order_reason = c.reason;
  }
  const ArchChoice arch = arch_choice(vm, o.topology);
  from.rules.arch = to.rules.arch = arch.arch;
  RebuildContext ctx;
  ctx.kind = context_option(vm).value_or(RebuildKind::kBoot);
  auto era_side = [](const Side& side) {
    return report::EraSide{.name = side.name,
                           .rules = side.rules,
                           .names_order = release_has_zone_order(side.version),
                           .order_reason = side.order_reason};
  };
  const report::CompareErasReport rep{
      .comparison = workflow::compare_eras(o.topology, from.rules, to.rules, ctx),
      .from = era_side(from),
      .to = era_side(to),
      .origin = o.origin,
      .context = context_option(vm) ? explicit_context(ctx.kind) : default_context(),
      .topology = &o.topology,
      .arch_origin = arch.origin};
  return print_report(vm, rep);
}

const Action kAction{"compare-eras",
                     "what changes in the lists if this machine moves from one kernel era to "
                     "another (--kernel A --kernel B)",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
