// SPDX-License-Identifier: GPL-2.0-or-later
// Units of zonelens_workflow over the roots of fixtures/make_fixtures.py (lists derived there).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "zonelens/error.hpp"
#include "zonelens/sources.hpp"
#include "zonelens/workflow/diff.hpp"
#include "zonelens/workflow/eras.hpp"
#include "zonelens/workflow/snapshot_doc.hpp"
#include "zonelens/workflow/watch.hpp"

namespace zonelens::workflow {
namespace {

namespace fs = std::filesystem;

SnapshotDoc doc_of(const std::string& name) {
  const fs::path dir = fs::path(ZL_WF_FIXTURES) / name / "sys/kernel/debug/zonelens";
  return make_snapshot_doc("root " + name, "2024-01-01T00:00:00Z", "6.12.0-zonelens-wf",
                           read_text_file(dir / "snapshot", "fixture"),
                           read_text_file(dir / "events", "fixture"), name);
}

EraRules rules() { return *rules_for_release("6.12.0"); }

TEST(Diff, MemoryOnlineIsExplainedByTheRecordedCpumasks) {
  const auto r = diff_snapshots(doc_of("boot"), doc_of("mem-online"), rules());
  EXPECT_TRUE(r.explained);
  EXPECT_EQ(r.outcome, DiffOutcome::kAsPredicted);
  ASSERT_TRUE(r.cause.has_value());
  EXPECT_EQ(r.cause->seq, 2U);
  EXPECT_EQ(r.between.size(), 2U);
  EXPECT_EQ(r.missing, 0U);
  ASSERT_EQ(r.changes.size(), 4U);  // node 3 gained memory: every list grew
  for (const auto& c : r.changes) {
    ASSERT_TRUE(c.as_predicted.has_value());
    EXPECT_TRUE(*c.as_predicted);
  }
  EXPECT_EQ(r.cause->type, EventType::kMemOnline);
  EXPECT_EQ(r.cause->nid, 3);
}

TEST(Diff, TamperedListsAreUnexplained) {
  const auto r = diff_snapshots(doc_of("boot"), doc_of("mem-online-tampered"), rules());
  EXPECT_FALSE(r.explained);
  ASSERT_TRUE(r.cause.has_value());
  std::vector<NodeId> off;
  for (const auto& v : r.verdicts) {
    if (!v.match()) {
      off.push_back(v.node);
    }
  }
  EXPECT_EQ(off, std::vector<NodeId>{0});
}

TEST(Diff, ChangeWithoutEventIsUnexplained) {
  const auto r = diff_snapshots(doc_of("boot"), doc_of("no-event"), rules());
  EXPECT_FALSE(r.explained);
  EXPECT_FALSE(r.cause.has_value());
  EXPECT_EQ(r.outcome, DiffOutcome::kNoLoggedEvent);
}

TEST(Diff, NoChangeIsExplained) {
  const auto r = diff_snapshots(doc_of("mem-online"), doc_of("mem-online"), rules());
  EXPECT_TRUE(r.explained);
  EXPECT_TRUE(r.changes.empty());
  EXPECT_TRUE(r.between.empty());
}

TEST(Diff, ChangeKinds) {
  const auto r = diff_snapshots(doc_of("mem-online"), doc_of("mem-online-tampered"), rules());
  ASSERT_EQ(r.changes.size(), 1U);
  EXPECT_EQ(r.changes[0].node, 0);
  EXPECT_EQ(r.changes[0].kind, ChangeKind::kReordered);
}

TEST(SnapshotDoc, RoundTripAndStrictness) {
  const auto d = doc_of("mem-online");
  const std::string text = snapshot_doc_json(d);
  const auto back = parse_snapshot_doc(text, "B.json");
  EXPECT_EQ(back.snapshot.fingerprint, d.snapshot.fingerprint);
  EXPECT_EQ(back.raw_events, d.raw_events);
  EXPECT_THROW(parse_snapshot_doc(text.substr(0, text.size() / 2), "B.json"), InputError);
  std::string edited = text;
  const std::string fp = format_fingerprint(d.snapshot.fingerprint);
  edited.replace(edited.rfind(R"("fingerprint": ")" + fp), 17, R"("fingerprint": "0)");
  EXPECT_THROW(parse_snapshot_doc(edited, "B.json"), InputError);
  EXPECT_THROW(parse_snapshot_doc("{\"zonelens_snapshot\": 2}", "B.json"), InputError);
}

TEST(Watch, BootStateIsVerifiedAndStaleOnNode0) {
  const auto d = doc_of("boot");
  const auto c = check_state(d.snapshot, d.events, rules());
  EXPECT_TRUE(c.verified);
  // A rebuild now sees CPUs on nodes 0,1: node 0 prefers node 2 (20*1024) over node 1 (21*1024).
  EXPECT_EQ(c.stale_nodes, std::vector<NodeId>{0});
}

TEST(Watch, EventsAfterCountsMissing) {
  auto log = doc_of("mem-online").events;
  auto n = events_after(log, 0);
  EXPECT_EQ(n.events.size(), 2U);
  EXPECT_EQ(n.missing, 0U);
  log.events.erase(log.events.begin());
  log.first_seq = 2;
  n = events_after(log, 0);
  EXPECT_EQ(n.events.size(), 1U);
  EXPECT_EQ(n.missing, 1U);
  EXPECT_TRUE(events_after(log, 2).events.empty());
}

TEST(Eras, SameEraChangesNothing) {
  const auto d = doc_of("mem-online");
  const auto c = compare_eras(d.snapshot.topology, rules(), rules(), RebuildContext{});
  EXPECT_EQ(c.changed(), 0U);
  EXPECT_EQ(c.nodes.size(), 4U);
}

TEST(Eras, MemorylessLocalNodeDiffersBefore67) {
  // Node 3 of the boot machine is memoryless: 6.7+ skips it as local, 6.1 puts it first.
  const auto d = doc_of("boot");
  const auto c =
      compare_eras(d.snapshot.topology, *rules_for_release("6.1.0"), rules(), RebuildContext{});
  bool node3 = false;
  for (const auto& n : c.nodes) {
    node3 = node3 || (n.node == 3 && n.order_changed);
  }
  EXPECT_TRUE(node3);
}

}  // namespace
}  // namespace zonelens::workflow

namespace zonelens::workflow {
namespace {

// The captured 6.12 self-only root (tests/fixtures/captured/6.12-hotplug-only-self-only) as B,
// and as A the same machine before the DIMM add: node 3 without lists, generation 0, no event.
// verify explains B with the self-only build of node 3; diff must say the same (it used to replay
// the fp_change event's masks as a full rebuild and call the change unexplained).
SnapshotDoc captured_self_only() {
  const fs::path dir = fs::path(ZL_WF_FIXTURES) /
                       "../../fixtures/captured/6.12-hotplug-only-self-only/root/sys/kernel/"
                       "debug/zonelens";
  return make_snapshot_doc("root self-only", "2024-01-01T00:00:00Z", "6.12.117+deb12-amd64",
                           read_text_file(dir / "snapshot", "fixture"),
                           read_text_file(dir / "events", "fixture"), "self-only");
}

TEST(Diff, SelfOnlyBuildIsExplainedInVerifysContext) {
  const SnapshotDoc b = captured_self_only();
  SnapshotDoc a = b;
  std::erase_if(a.snapshot.zonelists, [](const NodeZonelists& n) { return n.node == 3; });
  a.snapshot.fingerprint = zonelist_fingerprint(a.snapshot.zonelists);
  a.snapshot.generation = 0;
  a.snapshot.events.last_seq = 0;
  a.events.events.clear();
  a.events.last_seq = 0;
  const EraRules r612 = *rules_for_release(b.snapshot.header.kernel_release);
  const auto r = diff_snapshots(a, b, r612);
  EXPECT_EQ(r.context.kind, ContextKind::kBoot);
  EXPECT_EQ(r.context.self_only, std::vector<NodeId>{3});
  EXPECT_TRUE(r.model_run);
  EXPECT_TRUE(r.explained);
  ASSERT_EQ(r.changes.size(), 1U);
  EXPECT_EQ(r.changes[0].node, 3);
  EXPECT_EQ(r.changes[0].as_predicted, true);
}

}  // namespace
}  // namespace zonelens::workflow
