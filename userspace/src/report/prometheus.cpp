// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/report/prometheus.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "zonelens/report/context.hpp"

namespace zonelens::report {

std::optional<RebuildEventMetric> last_rebuild_metric(const EventLog& log,
                                                      std::uint64_t generation) {
  const Event* e = log.event_that_set(generation);
  if (e == nullptr) {
    return std::nullopt;
  }
  return RebuildEventMetric{e->seq, std::string(event_type_name(e->type)), e->nid, e->ts_ns};
}

namespace {

// A label value in the exposition format: backslash, double quote and newline escaped.
std::string label_value(std::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class Exposition {
 public:
  // Starts a metric family: its HELP and TYPE lines.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // One sample; `labels` is `name="value",...` already escaped, or empty.
  void sample(std::string_view name, const std::string& labels, const std::string& value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{' + labels + '}';
    }
    out_ += ' ' + value + '\n';
  }
  [[nodiscard]] const std::string& text() const { return out_; }

 private:
  std::string out_;
};

std::string node_label(NodeId node) { return "node=\"" + std::to_string(node) + "\""; }

std::string seconds(std::uint64_t ns) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%llu.%09llu",
                static_cast<unsigned long long>(ns / 1000000000U),
                static_cast<unsigned long long>(ns % 1000000000U));
  return buf.data();
}

}  // namespace

std::string render_prometheus(const PrometheusReport& report) {
  Exposition e;
  e.family("zonelens_module_loaded", "gauge",
           "Whether the zonelens kernel module's debugfs directory was there (1) or not (0).");
  e.sample("zonelens_module_loaded", "", report.verify != nullptr ? "1" : "0");
  if (report.verify == nullptr) {
    return e.text();
  }
  const VerifyReport& m = *report.verify;
  const Verification& ver = m.verification;
  e.family("zonelens_kernel_info", "gauge",
           "The running kernel release, and the zonelist era and architecture zonelens modelled it "
           "with (always 1).");
  e.sample("zonelens_kernel_info",
           "release=\"" + label_value(m.kernel.release) + "\",era=\"" +
               label_value(era_name(m.kernel.rules.era)) + "\",arch=\"" +
               label_value(arch_name(m.kernel.rules.arch)) + "\"",
           "1");
  e.family("zonelens_verify_match", "gauge",
           "Whether every node's live zonelists equal the model's prediction (1) or not (0).");
  e.sample("zonelens_verify_match", "", ver.match ? "1" : "0");
  const ContextCandidate& context = ver.best().candidate;
  e.family("zonelens_verify_context_info", "gauge",
           "The kind of rebuild context that explained the lists, or of the first one tried; "
           "whether its masks were inferred and whether nodes had self-only builds (always 1).");
  e.sample("zonelens_verify_context_info",
           "context=\"" + std::string(context_kind_name(context.kind)) + "\",inferred=\"" +
               (context.inferred ? "true" : "false") + "\",self_only=\"" +
               (context.self_only.empty() ? "false" : "true") + "\"",
           "1");
  e.family("zonelens_verify_context_event_seq", "gauge",
           "Sequence number of the event whose generation that context explains (0: none, the "
           "lists predate the event log or the event left it).");
  e.sample("zonelens_verify_context_event_seq", "", std::to_string(context_event_seq(context)));
  e.family("zonelens_node_self_only", "gauge",
           "Whether that context explains the node's lists by the node's own build at DIMM add "
           "(1) or by the full rebuild (0).");
  for (const auto& v : ver.best().verdicts) {
    const bool self = std::find(context.self_only.begin(), context.self_only.end(), v.node) !=
                      context.self_only.end();
    e.sample("zonelens_node_self_only", node_label(v.node), self ? "1" : "0");
  }
  e.family("zonelens_node_match", "gauge",
           "Whether the node's live fallback and nofallback zonelists equal the prediction (1) "
           "or not (0).");
  for (const auto& v : ver.best().verdicts) {
    e.sample("zonelens_node_match", node_label(v.node), v.match() ? "1" : "0");
  }
  e.family("zonelens_zonelists_generation", "gauge",
           "Zonelist changes the module has counted since it was loaded (0: none since load).");
  e.sample("zonelens_zonelists_generation", "", std::to_string(m.generation));
  e.family("zonelens_last_rebuild_event_sequence", "gauge",
           "Sequence number of the event that set the current generation (0: none since load, "
           "or it left the event log).");
  e.sample("zonelens_last_rebuild_event_sequence", "",
           std::to_string(report.last_rebuild ? report.last_rebuild->seq : 0));
  if (report.last_rebuild) {
    e.family("zonelens_last_rebuild_event_info", "gauge",
             "The event that set the current generation: its type and node (always 1).");
    e.sample("zonelens_last_rebuild_event_info",
             "event=\"" + label_value(report.last_rebuild->type) + "\",nid=\"" +
                 (report.last_rebuild->nid ? std::to_string(*report.last_rebuild->nid) : "") + "\"",
             "1");
    e.family("zonelens_last_rebuild_event_boottime_seconds", "gauge",
             "CLOCK_BOOTTIME of the event that set the current generation, in seconds since "
             "boot.");
    e.sample("zonelens_last_rebuild_event_boottime_seconds", "",
             seconds(report.last_rebuild->boottime_ns));
  }
  e.family("zonelens_stale_nodes", "gauge",
           "Nodes whose lists a rebuild now would change: CPUs went on or offline since the last "
           "rebuild.");
  e.sample("zonelens_stale_nodes", "", std::to_string(report.stale_nodes.size()));
  e.family("zonelens_node_stale", "gauge",
           "Whether a rebuild now would change the node's lists (1) or not (0).");
  const std::set<NodeId> stale(report.stale_nodes.begin(), report.stale_nodes.end());
  for (const auto& v : ver.best().verdicts) {
    e.sample("zonelens_node_stale", node_label(v.node), stale.contains(v.node) ? "1" : "0");
  }
  return e.text();
}

}  // namespace zonelens::report
