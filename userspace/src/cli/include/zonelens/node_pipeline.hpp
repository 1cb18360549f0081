// SPDX-License-Identifier: GPL-2.0-or-later
// A PredictionStream run in a second thread, a few nodes ahead of the thread that renders them:
// the model computes node i + 1 while node i is rendered and written (the machine's second core).
// The nodes come out in the stream's order, so the output does not depend on the scheduling.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>

#include "zonelens/model.hpp"

namespace zonelens::cli {

class NodePipeline {
 public:
  explicit NodePipeline(PredictionStream stream);
  NodePipeline(const NodePipeline&) = delete;
  NodePipeline& operator=(const NodePipeline&) = delete;
  NodePipeline(NodePipeline&&) = delete;
  NodePipeline& operator=(NodePipeline&&) = delete;
  ~NodePipeline();  // stops the worker (when the reader gave up early) and joins it

  // The next node, valid until the following call; nullptr after the last. Waits for the worker;
  // rethrows what the model threw.
  const NodeZonelists* next();

 private:
  static constexpr unsigned kSlots = 32;
  // Each side wakes the other once per kBatch nodes (and the worker after the last): a waiting
  // side sleeps through the nodes in between instead of one futex call per node. A waiter always
  // sees its wake: the reader waits for one node, which the worker follows up to the next batch
  // end without waiting (the slots are not full); the worker waits for kSlots - 1 > kBatch
  // releases, and the reader passes a batch end on the way.
  static constexpr unsigned kBatch = 8;
  static constexpr unsigned kFailed = ~0U;  // built_ when the model threw
  void run();

  PredictionStream stream_;
  unsigned total_;
  std::array<NodeZonelists, kSlots> slots_;  // node i in slots_[i % kSlots]
  std::atomic<unsigned> built_{0};           // nodes the worker finished (or kFailed)
  std::atomic<unsigned> released_{0};        // nodes the reader is done with
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;
  unsigned handed_ = 0;  // nodes next() gave out (the reader's own)
  std::thread worker_;
};

}  // namespace zonelens::cli
