// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "zonelens/report/diff.hpp"
#include "zonelens/report/json.hpp"
#include "zonelens/report/lists.hpp"
#include "zonelens/report/reports.hpp"
#include "zonelens/report/svg.hpp"

namespace zonelens::report {
namespace {

std::string pretty(void (*fill)(JsonWriter&),
                   JsonWriter::Style style = JsonWriter::Style::kPretty) {
  std::string out;
  Sink sink([&out](std::string_view s) { out += s; });
  JsonWriter w(sink, style);
  fill(w);
  w.finish();
  sink.flush();
  return out;
}

TEST(JsonWriter, BlockAndInlineContainers) {
  const std::string got = pretty([](JsonWriter& w) {
    w.object().field("kernel", "6.12").key("ids").ints({1, 2}).key("rows").array();
    w.object(JsonWriter::Layout::kInline).field("node", 0).field("ok", true).end();
    w.object(JsonWriter::Layout::kInline).field("node", 1).key("x").null().end();
    w.end().key("empty").array().end().end();
  });
  EXPECT_EQ(got,
            "{\n  \"kernel\": \"6.12\",\n  \"ids\": [1, 2],\n  \"rows\": [\n"
            "    {\"node\": 0, \"ok\": true},\n    {\"node\": 1, \"x\": null}\n  ],\n"
            "  \"empty\": []\n}\n");
}

// Any bytes in a name (a zone name from sysfs, a path) still give a valid JSON string.
TEST(JsonWriter, EveryStringIsValidJson) {
  const std::vector<std::string> names{"DMA\"32", "Nor\\mal",
                                       "a\xff"
                                       "b",
                                       std::string(1, '\0')};
  for (const std::string& s : names) {
    std::string out;
    append_json_string(out, s);
    EXPECT_NO_THROW((void)nlohmann::json::parse(out)) << out;
  }
}

TEST(JsonWriter, CompactHasNoWhitespace) {
  const std::string got = pretty(
      [](JsonWriter& w) {
        w.object().field("type", "stop").key("n").ints({3, 4}).field("reason", "a\"b\n").end();
      },
      JsonWriter::Style::kCompact);
  EXPECT_EQ(got, "{\"type\":\"stop\",\"n\":[3,4],\"reason\":\"a\\\"b\\n\"}\n");
}

TEST(JsonWriter, RefusesAValueWithoutAKey) {
  std::string out;
  Sink sink([&out](std::string_view s) { out += s; });
  JsonWriter w(sink, JsonWriter::Style::kPretty);
  w.object();
  EXPECT_THROW(w.value(1), std::logic_error);
}

Topology two_nodes() {
  Topology t;
  t.nr_node_ids = 2;
  t.zone_names = {"DMA32", "Normal"};
  t.distance = DistanceTable(2);
  t.distance.set(0, 0, 10);
  t.distance.set(0, 1, 21);
  t.distance.set(1, 0, 21);
  t.distance.set(1, 1, 10);
  return t;
}

TEST(Svg, CellsColouredByDistanceAndMismatchesMarked) {
  const Topology t = two_nodes();
  const std::vector<NodeZonelists> live = {
      {.node = 0, .node_order = {}, .fallback = {{0, 1}, {1, 1}}, .nofallback = {}},
      {.node = 1, .node_order = {}, .fallback = {{1, 1}, {0, 1}}, .nofallback = {}}};
  std::vector<NodeZonelists> predicted = live;
  predicted[1].fallback = {{1, 1}, {0, 0}};
  const std::string svg =
      render_svg({.title = "a & b", .topology = &t, .lists = &live, .predicted = &predicted});
  EXPECT_NE(svg.find(">0:Normal</text>"), std::string::npos);
  EXPECT_NE(svg.find("a &amp; b"), std::string::npos);
  EXPECT_NE(svg.find(">10 local</text>"), std::string::npos);
  EXPECT_NE(svg.find(">21</text>"), std::string::npos);
  // One mismatch: node 1 position 1.
  const auto at = svg.find("class='mismatch'");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(svg.find("class='mismatch'", at + 1), std::string::npos);
  EXPECT_NE(svg.find("node 1 position 1: live 0:Normal, predicted 0:DMA32"), std::string::npos);
  // Without a prediction nothing is marked.
  const std::string plain =
      render_svg({.title = "x", .topology = &t, .lists = &live, .predicted = nullptr});
  EXPECT_EQ(plain.find("mismatch"), std::string::npos);
}

// A predict report as the CLI prints it: text, or JSON with `json`.
std::string rendered(const PredictReport& r, bool json) {
  std::string out;
  Sink sink([&out](std::string_view s) { out += s; });
  render(sink, r, json);
  sink.flush();
  return out;
}

// predict's report renders the same bytes from a feed (the CLI's pipeline) as from the lists.
TEST(PredictReport, FeedRendersLikeTheLists) {
  Topology t = two_nodes();
  for (NodeId id : {0, 1}) {
    Node n{.id = id, .online = true, .memory = true, .normal_memory = true, .cpu = true};
    n.cpus = {id};
    n.zones = {Zone{.index = 0, .name = "DMA32", .present = 10, .managed = 9, .spanned = 10},
               Zone{.index = 1, .name = "Normal", .present = 10, .managed = 9, .spanned = 10}};
    t.nodes.push_back(n);
  }
  const EraRules rules{};
  const RebuildContext ctx{.kind = RebuildKind::kRuntime};
  PredictReport lists{.kernel = {.release = "6.12.0", .rules = rules, .order_reason = {}},
                      .context = {.kind = ContextKind::kRuntimeCurrent,
                                  .cause = ContextCause::kGiven,
                                  .context = ctx},
                      .source = "sysfs",
                      .origin = "test",
                      .topology = &t,
                      .prediction = predict(t, rules, ctx),
                      .feed = {}};
  ASSERT_EQ(lists.prediction.nodes.size(), 2U);
  PredictReport fed = lists;
  fed.prediction.nodes.clear();
  for (const bool json : {true, false}) {
    std::size_t next = 0;
    fed.feed = [&]() -> const NodeZonelists* {
      return next < lists.prediction.nodes.size() ? &lists.prediction.nodes[next++] : nullptr;
    };
    const std::string want = rendered(lists, json);
    EXPECT_NE(want.find(json ? "\"fallback\": [\"1:Normal\"" : "fallback    1:Normal"),
              std::string::npos)
        << want;
    EXPECT_EQ(rendered(fed, json), want);
    EXPECT_EQ(next, 2U);  // every node taken, and the end seen once
  }
}

// A zone name is data: a topology file may spell it with quotes and backslashes, and every JSON
// document must still parse (issue 19).
TEST(Render, ZoneNamesAreEscapedInJson) {
  Topology t;
  t.nr_node_ids = 2;
  t.zone_names = {"DMA\"32", "Nor\\mal"};
  for (NodeId id = 0; id < 2; ++id) {
    Node n{.id = id, .online = true, .memory = true, .normal_memory = true, .cpu = true};
    n.cpus = {id};
    n.zones = {
        Zone{.index = 0, .name = t.zone_names[0], .present = 10, .managed = 9, .spanned = 10},
        Zone{.index = 1, .name = t.zone_names[1], .present = 10, .managed = 9, .spanned = 10}};
    t.nodes.push_back(n);
  }
  const EraRules rules{};
  const ContextCandidate context = explicit_context(RebuildKind::kRuntime);
  const PredictReport r{.kernel = {.release = "6.12.0", .rules = rules, .order_reason = {}},
                        .context = context,
                        .source = "topology-file",
                        .origin = "test",
                        .topology = &t,
                        .prediction = predict(t, rules, context.context),
                        .feed = {}};
  std::string out;
  Sink sink([&out](std::string_view s) { out += s; });
  render_json(sink, r);
  sink.flush();
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["schema"], kJsonSchema);
  EXPECT_EQ(j["context"]["kind"], "runtime_current");
  EXPECT_EQ(j["nodes"][0]["fallback"][0], "0:Nor\\mal") << out;
  EXPECT_EQ(j["nodes"][0]["fallback"][1], "0:DMA\"32") << out;
}

// What a capture lacked is facts in the report; the renderers word them (text) or name them from
// closed sets (JSON), and with zones unknown the lists' keys are null (docs/json.md).
TEST(PredictReport, CaptureNotesAreWordedAndNamed) {
  Topology t = two_nodes();
  for (NodeId id : {0, 1}) {
    Node n{.id = id, .online = true, .memory = true, .normal_memory = true, .cpu = true};
    n.cpus = {id};
    n.zones = {Zone{.index = 0, .name = "Normal", .present = 10, .managed = 9, .spanned = 10}};
    t.nodes.push_back(n);
  }
  const EraRules rules{};
  const ContextCandidate context = explicit_context(RebuildKind::kBoot);
  const RootNotes notes{
      .zones_known = false,
      .derived = {{.file = "sys/devices/system/node/has_memory", .from = DerivedFrom::kMemTotal}},
      .release_file = ReleaseFile::kProcVersion};
  const PredictReport r{.kernel = {.release = "4.14.0", .rules = rules, .order_reason = {}},
                        .context = context,
                        .source = "sysfs",
                        .origin = "root cap.tar.bz2",
                        .topology = &t,
                        .notes = &notes,
                        .prediction = predict(t, rules, context.context),
                        .feed = {}};
  const std::string text = rendered(r, false);
  EXPECT_NE(text.find("zones unknown, boot rebuild"), std::string::npos) << text;
  EXPECT_NE(text.find("kernel: release from proc/version (no proc/sys/kernel/osrelease)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("derived: sys/devices/system/node/has_memory from nodeN/meminfo MemTotal > "
                      "0\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("  fallback    "), std::string::npos) << text;
  const nlohmann::json j = nlohmann::json::parse(rendered(r, true));
  EXPECT_EQ(j["release_assumed"], false);
  EXPECT_EQ(j["release_file"], "proc/version");
  EXPECT_EQ(j["zones_known"], false);
  EXPECT_EQ(j["derived"][0]["from"], "meminfo_memtotal");
  EXPECT_TRUE(j["nodes"][1]["fallback"].is_null());
  EXPECT_TRUE(j["nodes"][1]["nofallback"].is_null());
  EXPECT_EQ(j["nodes"][1]["node_order"], nlohmann::json::array({1, 0}));
}

// The words of a context come from its facts: the labels people and the SVG title read.
TEST(Render, ContextLabels) {
  ContextCandidate c = explicit_context(RebuildKind::kBoot);
  EXPECT_EQ(context_label(c), "boot");
  EXPECT_EQ(context_reason(c), "given with --context boot");
  c.kind = ContextKind::kRuntimeEvent;
  c.cause = ContextCause::kMemoryEvent;
  c.generation = 2;
  c.event = Event{.seq = 3, .type = EventType::kMemOnline, .nid = 2};
  c.self_only = {4};
  c.hot_added = {4};
  c.noticed_by = Event{.seq = 5, .type = EventType::kFpChange};
  EXPECT_EQ(context_label(c), "runtime (masks of event 3) + self-only build of node 4");
  EXPECT_EQ(
      context_reason(c),
      "hot-added node 4 (online, no memory, no CPUs) built its own lists at DIMM add (event 5 "
      "(fp_change) noticed it); the other nodes keep generation 2: event 3 (mem_online nid "
      "2) rebuilt the lists (generation 2) with the cpumasks it recorded");
  EXPECT_EQ(context_kind_name(c.kind), "runtime_event");
  EXPECT_EQ(context_event_seq(c), 3U);
}

TEST(Events, Describe) {
  Event e;
  e.type = EventType::kCpuOffline;
  e.cpu = 5;
  e.nid = 1;
  EXPECT_EQ(describe_event(e), "CPU 5 offline on node 1");
  EXPECT_EQ(nodes_with_cpus_text({}), "none");
}

TEST(Events, DiffSummaryFromTheOutcome) {
  workflow::DiffReport r;
  r.outcome = workflow::DiffOutcome::kNoLoggedEvent;
  r.changes.push_back({.node = 3, .kind = workflow::ChangeKind::kGrew});
  r.changes.push_back({.node = 0, .kind = workflow::ChangeKind::kReordered});
  r.changes.push_back({.node = 1, .kind = workflow::ChangeKind::kReordered});
  EXPECT_EQ(diff_summary(r),
            "lists of nodes 0 and 1 reordered, list of node 3 grew with no logged event between "
            "the snapshots");
  r.outcome = workflow::DiffOutcome::kAsPredicted;
  r.cause = Event{.seq = 2, .type = EventType::kMemOnline, .nid = 3, .cpus = {{0, {0}}, {1, {1}}}};
  r.missing = 1;
  EXPECT_EQ(diff_summary(r),
            "rebuild after memory online on node 3 (seq 2) saw CPUs on nodes 0,1; lists of nodes 0 "
            "and 1 reordered, list of node 3 grew as predicted (1 events in between left the "
            "ring)");
}

}  // namespace
}  // namespace zonelens::report
