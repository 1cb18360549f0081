// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/node_pipeline.hpp"

#include <utility>

namespace zonelens::cli {

NodePipeline::NodePipeline(PredictionStream stream)
    : stream_(std::move(stream)),
      total_(static_cast<unsigned>(stream_.size())),
      worker_([this] { run(); }) {}

NodePipeline::~NodePipeline() {
  stop_.store(true);
  released_.store(total_ + kSlots);  // room for everything: a waiting worker wakes and sees stop_
  released_.notify_all();
  worker_.join();
}

void NodePipeline::run() {
  try {
    for (unsigned i = 0; i < total_; ++i) {
      unsigned released = released_.load(std::memory_order_acquire);
      while (!stop_.load() && i - released >= kSlots) {
        released_.wait(released, std::memory_order_acquire);
        released = released_.load(std::memory_order_acquire);
      }
      if (stop_.load()) {
        return;
      }
      (void)stream_.next(slots_[i % kSlots]);
      built_.store(i + 1, std::memory_order_release);
      if ((i + 1) % kBatch == 0 || i + 1 == total_) {
        built_.notify_one();
      }
    }
  } catch (...) {
    error_ = std::current_exception();
    built_.store(kFailed, std::memory_order_release);
    built_.notify_one();
  }
}

const NodeZonelists* NodePipeline::next() {
  if (handed_ != 0) {
    released_.store(handed_, std::memory_order_release);  // the previous node's slot is free
    if (handed_ % kBatch == 0) {
      released_.notify_one();
    }
  }
  if (handed_ == total_) {
    return nullptr;
  }
  unsigned built = built_.load(std::memory_order_acquire);
  while (built == handed_) {
    built_.wait(built, std::memory_order_acquire);
    built = built_.load(std::memory_order_acquire);
  }
  if (built == kFailed) {
    std::rethrow_exception(error_);
  }
  return &slots_[handed_++ % kSlots];
}

}  // namespace zonelens::cli
