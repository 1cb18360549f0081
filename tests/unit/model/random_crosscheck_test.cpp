// SPDX-License-Identifier: GPL-2.0-or-later
// The fast model against the literal reference transcription, on random topologies and contexts.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>

#include "reference_model.hpp"
#include "zonelens/explain.hpp"

namespace zonelens {
namespace {

constexpr int kTopologiesPerEra = 10000;

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // kLarge: 33 to 160 ids. kDense: the same, every id possible, online and with memory,
  // sometimes with pairs left out of the table. kHuge: kDense with MAX_NUMNODES (1024) ids.
  enum class Shape { kMixed, kLarge, kDense, kHuge };

  Topology topology(Shape shape = Shape::kMixed) {
    Topology t;
    int ids = chance(0.01) ? uniform(33, 96) : (chance(0.1) ? uniform(1, 24) : uniform(1, 9));
    if (shape == Shape::kLarge || shape == Shape::kDense) {
      ids = uniform(33, 160);
    } else if (shape == Shape::kHuge) {
      ids = kMaxNumnodes;
    }
    const bool dense = shape == Shape::kDense || shape == Shape::kHuge;
    t.nr_node_ids = ids;
    t.zone_names = {"DMA", "DMA32", "Normal", "Movable"};
    // MAX_NUMNODES: usually 1024; sometimes tiny (loads reach the multiplier in <= 5.18) or huge
    // (the score wraps around).
    const int mm = uniform(0, 9);
    t.max_numnodes = mm < 6 ? 1024 : (mm < 8 ? uniform(1, 4) : (1 << uniform(20, 24)));
    const std::vector<int> palette = pick_palette();
    if (palette.back() == INT_MAX && chance(0.8)) {
      t.max_numnodes = 1;  // val == distance + penalties + load: INT_MAX itself, or past it
    }
    // Distances: a few values, so ties are common; sometimes asymmetric; sometimes a table smaller
    // than the ids (defaults 10/20); sometimes huge values.
    const int table = !dense && chance(0.15) ? uniform(0, ids) : ids;
    const bool symmetric = chance(0.5);
    t.distance = DistanceTable(table);
    for (int i = 0; i < table; ++i) {
      for (int j = 0; j < table; ++j) {
        if (symmetric && j < i) {
          t.distance.set(i, j, t.distance.at(j, i));
          continue;
        }
        int v = i == j ? (chance(0.95) ? kLocalDistance : palette[pick(palette)])
                       : palette[pick(palette)];
        if (chance(0.03)) {
          v = -1;  // left out of the table
        }
        t.distance.set(i, j, v);
      }
    }
    for (int id = 0; id < ids; ++id) {
      if (!dense && id > 0 && chance(0.1)) {
        continue;  // not a possible node
      }
      Node n;
      n.id = id;
      n.online = dense || chance(0.85);
      n.memory = dense || (n.online ? chance(0.75) : chance(0.05));
      n.has_pgdat = dense || chance(0.95);
      if (chance(0.6)) {
        n.cpus = {id * 2};
      }
      n.cpu = !n.cpus.empty();
      const int zones = uniform(0, 4);
      for (int z = 0; z < zones; ++z) {
        if (chance(0.3)) {
          continue;
        }
        Zone zone;
        zone.index = z;
        zone.name = t.zone_names[static_cast<std::size_t>(z)];
        const int kind = uniform(0, 3);  // both, present only, managed only, neither
        zone.present = kind <= 1 ? 100 : 0;
        zone.managed = (kind == 0 || kind == 2) ? 90 : 0;
        n.zones.push_back(zone);
      }
      if (dense) {
        n.zones.push_back(Zone{.index = 2, .name = "Normal", .present = 100, .managed = 90});
      }
      t.nodes.push_back(n);
    }
    if (t.nodes.empty()) {
      t.nodes.push_back(Node{.id = 0, .online = true, .memory = true});
    }
    return t;
  }

  RebuildContext context(const Topology& t) {
    RebuildContext c;
    c.kind = chance(0.3) ? RebuildKind::kBoot : RebuildKind::kRuntime;
    if (c.kind == RebuildKind::kRuntime && chance(0.5)) {
      const int n = uniform(0, t.nr_node_ids + 1);
      for (int i = 0; i < n; ++i) {
        c.nodes_with_cpus.push_back(chance(0.5));
      }
    }
    const auto& nodes = t.nodes;
    if (chance(0.12)) {
      c.self_only =
          nodes[static_cast<std::size_t>(uniform(0, static_cast<int>(nodes.size()) - 1))].id;
    }
    if (chance(0.15)) {
      c.still_in_memory =
          nodes[static_cast<std::size_t>(uniform(0, static_cast<int>(nodes.size()) - 1))].id;
    }
    return c;
  }

 private:
  std::size_t pick(const std::vector<int>& v) {
    return static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1));
  }
  std::vector<int> pick_palette() {
    switch (uniform(0, 5)) {
      case 0:
        return {20};
      case 1:
        return {12, 20, 32};
      case 2:
        return {10, 11, 12, 13, 20, 21, 22, 30};
      case 3:
        return {16, 21, 28, 32, 255};
      case 4:
        return {20, 1000, 2047, 2100, 5000, 1 << 20};  // large: wrap-around with big multipliers
      default:
        return {20, 30, INT_MAX - 1, INT_MAX};  // the INT_MAX cut (never `< min_val`), and wraps
    }
  }
  std::mt19937_64 rng_;
};

void expect_same(const Prediction& fast, const Prediction& ref, const std::string& what) {
  ASSERT_EQ(fast.nodes.size(), ref.nodes.size()) << what;
  for (std::size_t i = 0; i < fast.nodes.size(); ++i) {
    const auto& a = fast.nodes[i];
    const auto& b = ref.nodes[i];
    ASSERT_EQ(a.node, b.node) << what;
    ASSERT_EQ(a.node_order, b.node_order) << what << " node " << a.node;
    ASSERT_EQ(a.fallback, b.fallback) << what << " node " << a.node;
    ASSERT_EQ(a.nofallback, b.nofallback) << what << " node " << a.node;
  }
}

// PredictionStream gives predict()'s nodes in its call order.
void expect_stream_same(const Topology& t, const EraRules& r, const RebuildContext& c,
                        const Prediction& fast, const std::string& what) {
  PredictionStream stream(t, r, c);
  ASSERT_EQ(stream.size(), fast.nodes.size()) << what;
  std::vector<NodeZonelists> got;
  NodeZonelists nz;  // reused, as the CLI reuses it
  while (stream.next(nz)) {
    got.push_back(nz);
  }
  const bool ascending = std::is_sorted(
      got.begin(), got.end(), [](const auto& a, const auto& b) { return a.node < b.node; });
  ASSERT_EQ(stream.in_id_order(), ascending) << what;
  std::stable_sort(got.begin(), got.end(),
                   [](const auto& a, const auto& b) { return a.node < b.node; });
  expect_same(Prediction{.rules = r, .nodes = got}, fast, what + " (stream)");
}

class RandomCrossCheck : public ::testing::TestWithParam<KernelEra> {};

// Larger machines, fewer of them (the reference is O(N^3)).
TEST_P(RandomCrossCheck, LargeTopologiesMatchReference) {
  const KernelEra era = GetParam();
  Generator gen(0x1a29e000U + static_cast<unsigned>(era));
  for (int i = 0; i < 80; ++i) {
    const Topology t =
        gen.topology(i % 2 == 0 ? Generator::Shape::kLarge : Generator::Shape::kDense);
    const RebuildContext c = gen.context(t);
    const EraRules r{
        .era = era,
        .zone_predicate = gen.chance(0.5) ? ZonePredicate::kPopulated : ZonePredicate::kManaged};
    const std::string what = std::string(era_name(era)) + " large case " + std::to_string(i);
    const Prediction fast = predict(t, r, c);
    expect_same(fast, reference::reference_predict(t, r, c), what);
    if (::testing::Test::HasFatalFailure()) {
      return;
    }
    expect_stream_same(t, r, c, fast, what);
    if (::testing::Test::HasFatalFailure()) {
      return;
    }
  }
}

// MAX_NUMNODES ids, every one a candidate: the largest machine a kernel builds (one per era;
// the reference takes about 2 s for it).
TEST_P(RandomCrossCheck, MaxNumnodesTopologyMatchesReference) {
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "the O(N^3) reference at 1024 ids outlasts the timeout under ASan";
#endif
#endif
  const KernelEra era = GetParam();
  Generator gen(0x10240000U + static_cast<unsigned>(era));
  const Topology t = gen.topology(Generator::Shape::kHuge);
  RebuildContext c = gen.context(t);
  c.self_only.reset();  // a whole rebuild
  const EraRules r{.era = era, .zone_predicate = ZonePredicate::kPopulated};
  expect_same(predict(t, r, c), reference::reference_predict(t, r, c),
              std::string(era_name(era)) + " 1024 ids");
}

TEST_P(RandomCrossCheck, FastModelMatchesReference) {
  const KernelEra era = GetParam();
  Generator gen(0x5eed0000U + static_cast<unsigned>(era));
  for (int i = 0; i < kTopologiesPerEra; ++i) {
    const Topology t = gen.topology();
    const RebuildContext c = gen.context(t);
    const EraRules r{
        .era = era,
        .zone_predicate = gen.chance(0.5) ? ZonePredicate::kPopulated : ZonePredicate::kManaged};
    const std::string what = std::string(era_name(era)) + " case " + std::to_string(i);
    const Prediction fast = predict(t, r, c);
    expect_same(fast, reference::reference_predict(t, r, c), what);
    if (::testing::Test::HasFatalFailure()) {
      return;
    }
    if (i % 10 == 0) {
      expect_stream_same(t, r, c, fast, what);
      if (::testing::Test::HasFatalFailure()) {
        return;
      }
    }
    // explain() agrees with predict() on one node per case.
    if (!fast.nodes.empty()) {
      const auto& nz = fast.nodes[static_cast<std::size_t>(i) % fast.nodes.size()];
      const Explanation ex = explain(t, r, c, nz.node);
      ASSERT_TRUE(ex.built) << what;
      ASSERT_EQ(ex.node_order, nz.node_order) << what << " explain node " << nz.node;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllEras, RandomCrossCheck,
                         ::testing::Values(KernelEra::kPre414, KernelEra::k414, KernelEra::k516,
                                           KernelEra::k518, KernelEra::k519, KernelEra::k607),
                         [](const ::testing::TestParamInfo<KernelEra>& info) {
                           switch (info.param) {
                             case KernelEra::kPre414:
                               return std::string("Pre414");
                             case KernelEra::k414:
                               return std::string("E414");
                             case KernelEra::k516:
                               return std::string("E516");
                             case KernelEra::k518:
                               return std::string("E518");
                             case KernelEra::k519:
                               return std::string("E519");
                             case KernelEra::k607:
                               return std::string("E607");
                           }
                           return std::string("Unknown");
                         });

}  // namespace
}  // namespace zonelens
