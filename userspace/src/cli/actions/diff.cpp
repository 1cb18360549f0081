// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens diff A B: what changed between two snapshots and whether the model explains it.
#include "zonelens/workflow/diff.hpp"

#include <nlohmann/json.hpp>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/workflow/snapshot_doc.hpp"

namespace zonelens::cli {
namespace {

using nlohmann::json;
using workflow::DiffReport;
using workflow::SnapshotDoc;

void get_arguments(po::options_description& opts, po::positional_options_description& pos) {
  opts.add_options()("before", po::value<std::string>()->value_name("A")->required(),
                     "the earlier snapshot (positional)")(
      "after", po::value<std::string>()->value_name("B")->required(),
      "the later snapshot (positional)");
  pos.add("before", 1).add("after", 1);
  add_kernel_option(opts);
  add_json_option(opts);
}

SnapshotDoc load(const std::string& file) {
  return workflow::parse_snapshot_doc(
      read_text_file(file, "pass a file written by 'zonelens snapshot -o FILE'"), file);
}

std::string refs(const Topology& topo, const Zonelist& zl) {
  std::string s;
  for (const auto& r : zl) {
    if (!s.empty()) {
      s += ' ';
    }
    append_zoneref(s, topo, r);
  }
  return s.empty() ? "-" : s;
}

std::string side(const Topology& topo, const std::optional<ZoneRef>& r) {
  std::string s;
  append_side(s, topo, r, false);
  return s;
}

std::string event_line(const Event& e) {
  return std::to_string(e.seq) + " " + std::string(event_type_name(e.type)) + ": " +
         workflow::describe_event(e) + ", CPUs on nodes " + workflow::nodes_with_cpus_text(e.cpus) +
         ", generation " + std::to_string(e.generation) + ", fp " +
         format_fingerprint(e.fingerprint);
}

json lists_json(const Topology& topo, const NodeZonelists& n) {
  json f = json::array();
  json nf = json::array();
  for (const auto& r : n.fallback) {
    f.push_back(zoneref_name(topo, r));
  }
  for (const auto& r : n.nofallback) {
    nf.push_back(zoneref_name(topo, r));
  }
  return {{"fallback", f}, {"nofallback", nf}};
}

int execute(const po::variables_map& vm) {
  const std::string fa = vm["before"].as<std::string>();
  const std::string fb = vm["after"].as<std::string>();
  const SnapshotDoc a = load(fa);
  const SnapshotDoc b = load(fb);
  const KernelChoice k = kernel_choice(vm, b.snapshot.topology);
  const DiffReport r = workflow::diff_snapshots(a, b, k.rules);
  const Topology& ta = a.snapshot.topology;
  const Topology& tb = b.snapshot.topology;
  Output sink;
  std::string& out = sink.text;
  if (json_wanted(vm)) {
    json changes = json::array();
    for (const auto& c : r.changes) {
      json j = {{"node", c.node},
                {"kind", std::string(workflow::change_kind_name(c.kind))},
                {"list", std::string(list_kind_name(c.first.list))},
                {"position", c.first.position},
                {"before", lists_json(ta, c.before)},
                {"after", lists_json(tb, c.after)},
                {"as_predicted", c.as_predicted ? json(*c.as_predicted) : json(nullptr)}};
      changes.push_back(std::move(j));
    }
    json events = json::array();
    for (const auto& e : r.between) {
      events.push_back({{"seq", e.seq},
                        {"type", std::string(event_type_name(e.type))},
                        {"description", workflow::describe_event(e)},
                        {"nodes_with_cpus", workflow::nodes_with_cpus_text(e.cpus)},
                        {"generation", e.generation},
                        {"fingerprint", format_fingerprint(e.fingerprint)}});
    }
    json mism = json::array();
    for (const auto& v : r.verdicts) {
      if (!v.match()) {
        mism.push_back({{"node", v.node},
                        {"list", std::string(list_kind_name(v.difference->list))},
                        {"position", v.difference->position},
                        {"live", side(tb, v.difference->live)},
                        {"predicted", side(tb, v.difference->predicted)}});
      }
    }
    const json doc = {{"a",
                       {{"file", fa},
                        {"taken_at", a.taken_at},
                        {"generation", r.generation_a},
                        {"fingerprint", format_fingerprint(r.fingerprint_a)},
                        {"last_seq", a.snapshot.events.last_seq}}},
                      {"b",
                       {{"file", fb},
                        {"taken_at", b.taken_at},
                        {"generation", r.generation_b},
                        {"fingerprint", format_fingerprint(r.fingerprint_b)},
                        {"last_seq", b.snapshot.events.last_seq}}},
                      {"kernel", k.release},
                      {"era", std::string(era_name(k.rules.era))},
                      {"context", r.context.label},
                      {"context_reason", r.context.reason},
                      {"module_reloaded", r.module_reloaded},
                      {"events", std::move(events)},
                      {"missing_events", r.missing},
                      {"lost_events", r.lost},
                      {"changes", std::move(changes)},
                      {"cause", r.cause ? json(r.cause->seq) : json(nullptr)},
                      {"model_mismatches", std::move(mism)},
                      {"result", r.explained ? "explained" : "unexplained"},
                      {"summary", r.summary}};
    out += doc.dump(2);
    out += '\n';
  } else {
    out += "A: " + fa + " (" + a.origin + ", " + a.taken_at + "): generation " +
           std::to_string(r.generation_a) + ", fingerprint " + format_fingerprint(r.fingerprint_a) +
           ", events up to seq " + std::to_string(a.snapshot.events.last_seq) + "\n";
    out += "B: " + fb + " (" + b.origin + ", " + b.taken_at + "): generation " +
           std::to_string(r.generation_b) + ", fingerprint " + format_fingerprint(r.fingerprint_b) +
           ", events up to seq " + std::to_string(b.snapshot.events.last_seq) + "\n";
    if (r.module_reloaded) {
      out += "the module was reloaded between A and B (or B predates A): events unknown\n";
    } else {
      out += "events in between: " + std::to_string(r.between.size()) + "\n";
      for (const auto& e : r.between) {
        out += "  " + event_line(e) +
               (r.cause && r.cause->seq == e.seq ? "  <- last rebuild" : "") + "\n";
      }
      if (r.missing != 0) {
        out += "  (" + std::to_string(r.missing) +
               " events in between left the ring before B was taken)\n";
      }
      if (r.lost != 0) {
        out += "  (" + std::to_string(r.lost) + " events were lost by the notifiers)\n";
      }
    }
    out += "changed nodes: " + std::to_string(r.changes.size()) + "\n";
    for (const auto& c : r.changes) {
      out += "  node " + std::to_string(c.node) + ": " +
             std::string(workflow::change_kind_name(c.kind)) + " (first difference at " +
             std::string(list_kind_name(c.first.list)) + "[" + std::to_string(c.first.position) +
             "])";
      if (c.as_predicted) {
        out += *c.as_predicted ? ", as predicted" : ", NOT as predicted";
      }
      out += "\n    before  " + refs(ta, c.before.fallback) + "\n    after   " +
             refs(tb, c.after.fallback) + "\n";
    }
    if (r.model_run) {
      out += "model: kernel " + k.release + " (era " + std::string(era_name(k.rules.era)) +
             "), context: " + r.context.label + ": " + r.context.reason + "\n";
      for (const auto& v : r.verdicts) {
        if (!v.match()) {
          out += "  node " + std::to_string(v.node) + ": " +
                 std::string(list_kind_name(v.difference->list)) + "[" +
                 std::to_string(v.difference->position) + "] is " + side(tb, v.difference->live) +
                 ", the model predicts " + side(tb, v.difference->predicted) + "\n";
        }
      }
    }
    out += std::string(r.explained ? "result: explained: " : "result: unexplained: ") + r.summary +
           "\n";
  }
  sink.flush();
  return r.explained ? kExitOk : kExitMismatch;
}

const Action kAction{"diff",
                     "compare two snapshots: changed lists, the events in between, and whether "
                     "the model explains the change; exit 0 explained, 1 unexplained, 2 error",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
