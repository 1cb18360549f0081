// SPDX-License-Identifier: GPL-2.0-or-later
// Full prediction (every node, FALLBACK and NOFALLBACK) of synthetic topologies: the fast model
// against the literal O(N^3) reference transcription.
#include <benchmark/benchmark.h>

#include "reference_model.hpp"
#include "zonelens/model.hpp"

namespace zonelens {
namespace {

// `n` nodes in sockets of 4: 10 local, 12 in the socket, 32 across sockets, 36 across the two
// halves of the machine. Every 8th node is CPU-less and every 16th memoryless (ties, penalties and
// skipped candidates all occur). Node 0 has DMA + DMA32 + Normal, the others Normal (+ Movable).
Topology synthetic(int n) {
  Topology t;
  t.nr_node_ids = n;
  t.max_numnodes = 1024;
  t.zone_names = {"DMA", "DMA32", "Normal", "Movable", "Device"};
  t.distance = DistanceTable(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      int d = 36;
      if (i == j) {
        d = kLocalDistance;
      } else if (i / 4 == j / 4) {
        d = 12;
      } else if ((i < n / 2) == (j < n / 2)) {
        d = 32;
      }
      t.distance.set(i, j, d);
    }
  }
  for (int i = 0; i < n; ++i) {
    Node node;
    node.id = i;
    node.online = true;
    node.memory = i % 16 != 15;
    if (i % 8 != 7) {
      node.cpus = {i * 4, (i * 4) + 1};
    }
    if (node.memory) {
      node.zones.push_back(Zone{.index = 2,
                                .name = "Normal",
                                .present = 1U << 20U,
                                .managed = 1U << 20U,
                                .spanned = 1U << 20U});
      if (i % 3 == 0) {
        node.zones.push_back(Zone{.index = 3,
                                  .name = "Movable",
                                  .present = 1U << 18U,
                                  .managed = 1U << 18U,
                                  .spanned = 1U << 18U});
      }
    }
    if (i == 0) {
      node.zones.insert(
          node.zones.begin(),
          {Zone{.index = 0, .name = "DMA", .present = 3998, .managed = 3840},
           Zone{.index = 1, .name = "DMA32", .present = 1U << 19U, .managed = 1U << 19U}});
    }
    t.nodes.push_back(node);
  }
  return t;
}

RebuildContext runtime() {
  RebuildContext c;
  c.kind = RebuildKind::kRuntime;
  return c;
}

void BM_Predict(benchmark::State& state, KernelEra era) {
  const Topology t = synthetic(static_cast<int>(state.range(0)));
  const EraRules r{.era = era, .zone_predicate = ZonePredicate::kPopulated};
  for (auto _ : state) {
    benchmark::DoNotOptimize(predict(t, r, runtime()));
  }
  state.counters["nodes"] = static_cast<double>(state.range(0));
}

void BM_Reference(benchmark::State& state, KernelEra era) {
  const Topology t = synthetic(static_cast<int>(state.range(0)));
  const EraRules r{.era = era, .zone_predicate = ZonePredicate::kPopulated};
  for (auto _ : state) {
    benchmark::DoNotOptimize(reference::reference_predict(t, r, runtime()));
  }
  state.counters["nodes"] = static_cast<double>(state.range(0));
}

BENCHMARK_CAPTURE(BM_Predict, era_6_7, KernelEra::k607)
    ->Arg(8)
    ->Arg(64)
    ->Arg(256)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Predict, era_5_16, KernelEra::k516)
    ->Arg(8)
    ->Arg(64)
    ->Arg(256)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Reference, era_6_7, KernelEra::k607)
    ->Arg(8)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Reference, era_6_7_1024, KernelEra::k607)
    ->Arg(1024)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zonelens
