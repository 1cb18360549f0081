// SPDX-License-Identifier: GPL-2.0-or-later
// The typed report of every command and its two renderers: render_text and render_json (the one
// JSON style of zonelens/report/json.hpp). Pure: data in, text into a Sink out. The CLI parses
// options, gathers the inputs, builds the report and picks a renderer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/explain.hpp"
#include "zonelens/model.hpp"
#include "zonelens/report/context.hpp"
#include "zonelens/report/json.hpp"
#include "zonelens/report/lists.hpp"
#include "zonelens/report/sink.hpp"
#include "zonelens/snapshot.hpp"
#include "zonelens/sources.hpp"
#include "zonelens/verify.hpp"
#include "zonelens/workflow/diff.hpp"
#include "zonelens/workflow/eras.hpp"
#include "zonelens/workflow/snapshot_doc.hpp"
#include "zonelens/workflow/watch.hpp"

namespace zonelens::report {

// The kernel the model ran as.
struct KernelLine {
  std::string release;
  EraRules rules;                                 // rules.arch: the architecture modelled
  ArchOrigin arch_origin = ArchOrigin::kDefault;  // where it came from
  // Set for a <= 4.13 kernel (zone order exists): the order's reason. 4.14+ output does not
  // name the order, as before zone order was modelled.
  std::optional<std::string> order_reason;
  // The source had no release: the newest era was assumed (release is "unknown").
  bool release_assumed = false;
};

struct ShowReport {
  const Snapshot* snapshot = nullptr;
  std::string dir;       // the module's directory
  int module_reads = 1;  // reads until the module's files were settled (ModuleState::reads)
};
void render_text(Sink& sink, const ShowReport& r);
void render_json(Sink& sink, const ShowReport& r);

struct PredictReport {
  KernelLine kernel;
  ContextCandidate context;
  std::string source;  // source_kind_name()
  std::string origin;
  const Topology* topology = nullptr;
  // A captured root's sysfs: what was derived or unknown (nullptr: everything was read).
  const RootNotes* notes = nullptr;
  Prediction prediction;
  // When set, the nodes come from here instead of prediction.nodes, one at a time in ascending id
  // order (a PredictionStream computed while the output is written): each call gives the next
  // node, valid until the following call, nullptr after the last.
  NodeFeed feed;
};
void render_text(Sink& sink, const PredictReport& r);
void render_json(Sink& sink, const PredictReport& r);

struct VerifyReport {
  const Topology* topology = nullptr;
  Verification verification;
  KernelLine kernel;
  std::string dir;
  std::uint64_t generation = 0;
  std::uint64_t fingerprint = 0;
  int module_reads = 1;  // reads until the module's files were settled (ModuleState::reads)
};
void render_text(Sink& sink, const VerifyReport& r);
void render_json(Sink& sink, const VerifyReport& r);
// verify --summary, one line (docs/cli.md): "match (4 nodes); generation 1; kernel 6.12.0 (era
// 6.7+); context runtime_event (event 2)", "mismatch (...); ...; nodes differing: 1,3".
void render_summary(Sink& sink, const VerifyReport& r);

struct ExplainReport {
  Explanation explanation;
  ContextCandidate context;
  KernelLine kernel;
  std::string origin;
  const Topology* topology = nullptr;
};
void render_text(Sink& sink, const ExplainReport& r);
void render_json(Sink& sink, const ExplainReport& r);

struct DiffSide {
  std::string file;
  const workflow::SnapshotDoc* doc = nullptr;
};
struct DiffCommandReport {
  KernelLine kernel;
  DiffSide a, b;
  workflow::DiffReport diff;
};
void render_text(Sink& sink, const DiffCommandReport& r);
void render_json(Sink& sink, const DiffCommandReport& r);

// One side of compare-eras.
struct EraSide {
  std::string name;
  EraRules rules;
  bool names_order = false;  // a <= 4.13 side: its zonelist order is named
  std::string order_reason;
};
struct CompareErasReport {
  workflow::EraComparison comparison;
  EraSide from;
  EraSide to;
  std::string origin;
  ContextCandidate context;  // given with --context, else boot
  const Topology* topology = nullptr;
  ArchOrigin arch_origin = ArchOrigin::kDefault;  // of both sides' rules.arch
};
void render_text(Sink& sink, const CompareErasReport& r);
void render_json(Sink& sink, const CompareErasReport& r);

// watch prints one line per record, as it happens (JSON lines with --json).
struct WatchStart {
  std::string dir;
  std::string kernel;
  std::uint64_t last_seq = 0;
  workflow::StateCheck check;
};
struct WatchReloaded {
  std::uint64_t loaded_ns = 0;
};
struct WatchDropped {
  std::uint64_t after_seq = 0;
  std::uint64_t count = 0;
};
struct WatchEvent {
  Event event;
  bool generation_changed = false;
  std::optional<workflow::StateCheck> check;  // set on the event after which the state was read
};
struct WatchStop {
  std::string reason;
  int events = 0;
  bool failed = false;
};
void render_text(Sink& sink, const WatchStart& r);
void render_json(Sink& sink, const WatchStart& r);
void render_text(Sink& sink, const WatchReloaded& r);
void render_json(Sink& sink, const WatchReloaded& r);
void render_text(Sink& sink, const WatchDropped& r);
void render_json(Sink& sink, const WatchDropped& r);
void render_text(Sink& sink, const WatchEvent& r);
void render_json(Sink& sink, const WatchEvent& r);
void render_text(Sink& sink, const WatchStop& r);
void render_json(Sink& sink, const WatchStop& r);

// render_json or render_text.
template <typename Report>
void render(Sink& sink, const Report& r, bool json) {
  if (json) {
    render_json(sink, r);
  } else {
    render_text(sink, r);
  }
}

}  // namespace zonelens::report
