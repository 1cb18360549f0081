// SPDX-License-Identifier: GPL-2.0-or-later
// The event log (`events` file).
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "zonelens/snapshot.hpp"

namespace zonelens {
namespace {

using test::error_of;
using test::replace;

const std::string kFile = "/sys/kernel/debug/zonelens/events";
const std::string kLog =
    "zonelens-format 1\n"
    "log loaded_ns 1234567 capacity 256 first_seq 1 last_seq 4 dropped 0 lost 2 cpu_overlap 0\n"
    "event 1 ts 5050123456 mem_going_online nid 2 pfn 0x100000 nr 32768 fp 9c1f0e6a2b7d4410 gen 0 "
    "cpus 0:0-1,1:2-3\n"
    "event 2 ts 5050223456 mem_online nid 2 pfn 0x100000 nr 32768 fp 0b1e0e6a2b7d4410 gen 1 cpus "
    "0:0-1,1:2-3\n"
    "event 3 ts 9000000000 cpu_offline cpu 3 nid 1 fp 0b1e0e6a2b7d4410 gen 1 cpus 0:0-1,1:2-3,5\n"
    "event 4 ts 9100000000 fp_change at read fp 00000000000000ff gen 2 cpus -\n"
    "end\n";

TEST(EventLog, ParsesEveryShape) {
  const EventLog log = parse_event_log(kLog, kFile);
  EXPECT_EQ(log.loaded_ns, 1234567U);
  EXPECT_EQ(log.capacity, 256U);
  EXPECT_EQ(log.first_seq, 1U);
  EXPECT_EQ(log.last_seq, 4U);
  EXPECT_EQ(log.lost, 2U);
  ASSERT_EQ(log.events.size(), 4U);
  const Event& m = log.events[1];
  EXPECT_EQ(m.seq, 2U);
  EXPECT_EQ(m.ts_ns, 5050223456U);
  EXPECT_EQ(m.type, EventType::kMemOnline);
  EXPECT_EQ(m.nid, 2);
  EXPECT_EQ(m.pfn, 0x100000U);
  EXPECT_EQ(m.nr_pages, 32768U);
  EXPECT_EQ(m.generation, 1U);
  EXPECT_EQ(format_fingerprint(m.fingerprint), "0b1e0e6a2b7d4410");
  EXPECT_EQ(m.cpus, (CpuMap{{0, {0, 1}}, {1, {2, 3}}}));
  const Event& c = log.events[2];
  EXPECT_EQ(c.type, EventType::kCpuOffline);
  EXPECT_EQ(c.cpu, 3);
  EXPECT_EQ(c.nid, 1);
  EXPECT_EQ(c.cpus.at(1), (std::vector<int>{2, 3, 5}));  // "1:2-3,5": commas inside a list
  const Event& f = log.events[3];
  EXPECT_EQ(f.type, EventType::kFpChange);
  EXPECT_EQ(f.at, "read");
  EXPECT_TRUE(f.cpus.empty());
  EXPECT_FALSE(f.nid);
}

// Format 2 (Linux 6.17+): the node notifier's events carry a node id only. In 7.2's online_pages()
// the rebuild runs between NODE_ADDING_FIRST_MEMORY and NODE_ADDED_FIRST_MEMORY, so the latter is
// the first event with the new generation, and MEM_ONLINE follows it.
const std::string kNodeLog =
    "zonelens-format 2\n"
    "log loaded_ns 1 capacity 256 first_seq 1 last_seq 4 dropped 0 lost 0 cpu_overlap 0\n"
    "event 1 ts 10 node_adding_first_memory nid 3 fp 00000000000000aa gen 0 cpus 0:0\n"
    "event 2 ts 11 mem_going_online nid 3 pfn 0x100000 nr 32768 fp 00000000000000aa gen 0 cpus "
    "0:0\n"
    "event 3 ts 12 node_added_first_memory nid 3 fp 00000000000000bb gen 1 cpus 0:0\n"
    "event 4 ts 13 mem_online nid 3 pfn 0x100000 nr 32768 fp 00000000000000bb gen 1 cpus 0:0\n"
    "end\n";

TEST(EventLog, NodeEventsOfFormat2) {
  const EventLog log = parse_event_log(kNodeLog, kFile);
  ASSERT_EQ(log.events.size(), 4U);
  const Event& added = log.events[2];
  EXPECT_EQ(added.type, EventType::kNodeAddedFirstMemory);
  EXPECT_EQ(added.nid, 3);
  EXPECT_FALSE(added.pfn);
  EXPECT_FALSE(added.nr_pages);
  EXPECT_TRUE(is_node_event(added.type));
  EXPECT_TRUE(is_memory_event(added.type));
  EXPECT_FALSE(is_node_event(EventType::kMemOnline));
  EXPECT_EQ(log.event_that_set(1), &added);
  EXPECT_EQ(event_type_name(EventType::kNodeCancelRemovingLastMemory),
            "node_cancel_removing_last_memory");
}

TEST(EventLogErrors, NodeEventsAreNotFormat1) {
  const auto msg = error_of(
      [] { parse_event_log(replace(kNodeLog, "zonelens-format 2", "zonelens-format 1"), kFile); });
  EXPECT_NE(msg.find("line 3 "), std::string::npos) << msg;
  EXPECT_NE(msg.find("node events are format 2"), std::string::npos) << msg;
}

TEST(EventLogErrors, NodeEventTakesOnlyANodeId) {
  const auto msg = error_of([] {
    parse_event_log(replace(kNodeLog, "node_added_first_memory nid 3",
                            "node_added_first_memory nid 3 pfn 0x100000 nr 32768"),
                    kFile);
  });
  EXPECT_NE(msg.find("expected 12 arguments"), std::string::npos) << msg;
}

TEST(EventLog, EventThatSetAGeneration) {
  const EventLog log = parse_event_log(kLog, kFile);
  ASSERT_NE(log.event_that_set(1), nullptr);
  EXPECT_EQ(log.event_that_set(1)->seq, 2U);
  EXPECT_EQ(log.event_that_set(2)->seq, 4U);
  EXPECT_EQ(log.event_that_set(0), nullptr);
  EXPECT_EQ(log.event_that_set(9), nullptr);
}

TEST(EventLog, EmptyLog) {
  const EventLog log = parse_event_log(
      "zonelens-format 1\nlog loaded_ns 1 capacity 256 first_seq 0 last_seq 0 dropped 0 lost 0 "
      "cpu_overlap 0\nend\n",
      kFile);
  EXPECT_TRUE(log.events.empty());
}

TEST(EventLog, TypeNamesRoundTrip) {
  for (const char* name :
       {"mem_going_online", "mem_online", "mem_cancel_online", "mem_going_offline", "mem_offline",
        "mem_cancel_offline", "cpu_online", "cpu_offline", "fp_change"}) {
    const auto t = parse_event_type(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(event_type_name(*t), name);
  }
  EXPECT_FALSE(parse_event_type("node_online"));
}

TEST(EventLogErrors, Refusals) {
  EXPECT_NE(error_of([] {
              parse_event_log(replace(kLog, "format 1", "format 7"), kFile);
            }).find("unknown format 'zonelens-format 7'"),
            std::string::npos);
  EXPECT_EQ(error_of([] { parse_event_log(replace(kLog, "end\n", ""), kFile); }),
            kFile + ": truncated (no 'end' line): read it again");
  EXPECT_NE(error_of([] {
              parse_event_log(replace(kLog, "event 4", "evnt 4"), kFile);
            }).find("unknown keyword 'evnt'"),
            std::string::npos);
  for (const auto& edit : std::vector<std::pair<std::string, std::string>>{
           {"mem_online", "mem_teleport"},
           {"pfn 0x100000 nr 32768 fp 0b1e", "pfn 100000 nr 32768 fp 0b1e"},
           {"cpu_offline cpu 3", "cpu_offline cpu x"},
           {"gen 2", "gen -2"},
           {"cpus -\n", "cpus 0:\n"},
           {"event 3 ts", "event 1 ts"},
           {"fp_change at read", "fp_change at"},
       }) {
    const auto msg =
        error_of([&] { parse_event_log(replace(kLog, edit.first, edit.second), kFile); });
    EXPECT_NE(msg.find("is malformed"), std::string::npos) << edit.second << ": " << msg;
  }
}

// Format 4: an `inflight` line after `log`; an operation whose first event is in the ring.
const std::string kInflightLog =
    "zonelens-format 4\n"
    "log loaded_ns 1 capacity 256 first_seq 1 last_seq 1 dropped 0 lost 0 cpu_overlap 0\n"
    "inflight online nid 2 pfn 0x100000 nr 32768 seq 1\n"
    "event 1 ts 5050123456 mem_going_online nid 2 pfn 0x100000 nr 32768 fp 9c1f0e6a2b7d4410 gen 0 "
    "cpus 0:0-1,1:2-3\n"
    "end\n";

TEST(EventLog, Format4SaysWhichOperationIsInFlight) {
  const EventLog log = parse_event_log(kInflightLog, kFile);
  ASSERT_TRUE(log.in_flight);
  EXPECT_TRUE(log.in_flight->online);
  EXPECT_EQ(log.in_flight->nid, 2);
  EXPECT_EQ(log.in_flight->pfn, 0x100000U);
  EXPECT_EQ(log.in_flight->seq, 1U);
  EXPECT_FALSE(
      parse_event_log(replace(kInflightLog, "inflight online nid 2 pfn 0x100000 nr 32768 seq 1",
                              "inflight none"),
                      kFile)
          .in_flight);
}

TEST(EventLogErrors, Format4Inflight) {
  EXPECT_NE(error_of([] {
              parse_event_log(replace(kInflightLog, "seq 1\n", "seq 2\n"), kFile);
            }).find("the 'inflight' line names event 2, which is not in the log"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_event_log(
                  replace(kInflightLog, "inflight online nid 2 pfn 0x100000 nr 32768 seq 1\n", ""),
                  kFile);
            }).find("no 'inflight' line"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_event_log(replace(kLog, "cpu_overlap 0\n", "cpu_overlap 0\ninflight none\n"),
                              kFile);
            }).find("unknown keyword 'inflight' in format 1"),
            std::string::npos);
}

}  // namespace
}  // namespace zonelens
