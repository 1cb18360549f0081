// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens watch: follow the module's event log by polling (debugfs has no inotify), re-verify
// after generation changes, report stale lists after CPU hotplug.
#include "zonelens/workflow/watch.hpp"

#include <chrono>
#include <csignal>
#include <ctime>

#include "zonelens/cli.hpp"
#include "zonelens/error.hpp"
#include "zonelens/verify.hpp"
#include "zonelens/workflow/diff.hpp"

namespace zonelens::cli {
namespace {

volatile std::sig_atomic_t g_stop =
    0;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

extern "C" void on_signal(int /*sig*/) { g_stop = 1; }

void get_arguments(po::options_description& opts, po::positional_options_description& /*pos*/) {
  opts.add_options()("interval", po::value<int>()->default_value(500)->value_name("MS"),
                     "poll the events file every MS milliseconds (10 or more)")(
      "count", po::value<int>()->value_name("N"), "stop after N events")(
      "timeout", po::value<double>()->value_name("S"), "stop after S seconds")(
      "fail-fast", po::bool_switch(), "stop with exit 1 at the first failed verification")(
      "from-start", po::bool_switch(), "replay the events already in the log first");
  add_root_option(opts);
  add_kernel_option(opts);
  add_json_option(opts);
  add_wait_option(opts);
}

// The events of one poll after `last_seq`, and the one whose line carries the state check (the
// last that changed the generation or was CPU hotplug), if any.
struct Batch {
  workflow::NewEvents fresh;
  std::optional<std::size_t> check_at;
};

Batch batch_after(const EventLog& log, std::uint64_t last_seq, std::uint64_t generation) {
  Batch b{.fresh = workflow::events_after(log, last_seq), .check_at = std::nullopt};
  std::uint64_t g = generation;
  for (std::size_t i = 0; i < b.fresh.events.size(); ++i) {
    const auto& e = b.fresh.events[i];
    if (e.generation != g || e.type == EventType::kCpuOnline || e.type == EventType::kCpuOffline) {
      b.check_at = i;
    }
    g = e.generation;
  }
  return b;
}

// One record, as it happens.
template <typename Record>
void emit(Output& sink, bool as_json, const Record& r) {
  report::render(sink, r, as_json);
  sink.flush();
}

int execute(const po::variables_map& vm) {
  const int interval = vm["interval"].as<int>();
  if (interval < 10) {
    throw UsageError("--interval is 10 ms or more");
  }
  const bool has_count = vm.count("count") != 0;
  const bool has_timeout = vm.count("timeout") != 0;
  const int count = has_count ? vm["count"].as<int>() : 0;
  const double timeout = has_timeout ? vm["timeout"].as<double>() : 0;
  if ((has_count && count < 1) || (has_timeout && timeout <= 0)) {
    throw UsageError("--count and --timeout take positive numbers");
  }
  const bool fail_fast = vm["fail-fast"].as<bool>();
  const bool as_json = json_wanted(vm);
  const auto root = root_of(vm);
  const auto dir = module_dir(root);
  const ModuleWait wait = module_wait(vm);

  ModuleState m = read_module(root, wait);
  const KernelChoice k = kernel_choice(vm, m.snapshot.topology);

  // Before the start line: whoever sees that line may signal (tests/workflow/cli_test.sh does).
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  Output sink;
  bool failed = false;
  auto state = workflow::check_state(m.snapshot, m.events, k.rules);
  failed = !state.verified;
  emit(
      sink, as_json,
      report::WatchStart{
          .dir = dir.string(), .kernel = k.release, .last_seq = m.events.last_seq, .check = state});
  std::uint64_t last_seq = vm["from-start"].as<bool>() ? 0 : m.events.last_seq;
  std::uint64_t generation = vm["from-start"].as<bool>() ? 0 : m.snapshot.generation;
  std::uint64_t loaded_ns = m.events.loaded_ns;
  int seen = 0;
  const auto start = std::chrono::steady_clock::now();
  const std::string events_file = (dir / "events").string();
  std::string why_stop = failed && fail_fast ? "fail-fast" : "";
  bool first_pass = true;
  while (why_stop.empty()) {
    if (!first_pass) {
      // Sleep in slices so that a signal or the timeout ends the wait promptly.
      const auto wake = std::chrono::steady_clock::now() + std::chrono::milliseconds(interval);
      while (g_stop == 0 && std::chrono::steady_clock::now() < wake) {
        const timespec slice{0, 20'000'000};
        ::nanosleep(&slice, nullptr);
        if (has_timeout &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
                timeout) {
          break;
        }
      }
    }
    first_pass = false;
    if (g_stop != 0) {
      why_stop = "signal";
      break;
    }
    if (has_timeout &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
            timeout) {
      why_stop = "timeout";
      break;
    }
    EventLog log = parse_event_log(
        read_text_file(events_file, "load the module again (insmod zonelens.ko)"), events_file);
    // A memory operation in flight: its events and the check of the state it leaves come at a
    // later poll, once it has ended (docs/workflow.md).
    if (log.in_flight) {
      continue;
    }
    Batch batch = batch_after(log, log.loaded_ns != loaded_ns ? 0 : last_seq,
                              log.loaded_ns != loaded_ns ? 0 : generation);
    // The state check runs once per batch, on a settled snapshot read now, and the batch is then
    // taken from the event log read with it: with polling, the state between two events of one
    // batch is not observable. A state that does not settle within --wait defers the batch.
    if (batch.check_at) {
      try {
        m = read_module(root, wait);
      } catch (const ModuleUnsettled&) {
        continue;
      }
      if (m.events.loaded_ns != log.loaded_ns) {
        continue;  // reloaded between the two reads: the next poll starts from the new log
      }
      log = std::move(m.events);
      batch = batch_after(log, log.loaded_ns != loaded_ns ? 0 : last_seq,
                          log.loaded_ns != loaded_ns ? 0 : generation);
      state = workflow::check_state(m.snapshot, log, k.rules);
    }
    if (log.loaded_ns != loaded_ns) {
      emit(sink, as_json, report::WatchReloaded{.loaded_ns = log.loaded_ns});
      loaded_ns = log.loaded_ns;
      last_seq = 0;
      generation = 0;
    }
    const auto& fresh = batch.fresh;
    if (fresh.missing != 0) {
      emit(sink, as_json, report::WatchDropped{.after_seq = last_seq, .count = fresh.missing});
    }
    const bool need_check = batch.check_at.has_value();
    const std::size_t check_at = batch.check_at.value_or(0);
    for (std::size_t i = 0; i < fresh.events.size() && why_stop.empty(); ++i) {
      const auto& e = fresh.events[i];
      const bool changed = e.generation != generation;
      generation = e.generation;
      last_seq = e.seq;
      const bool with_check = need_check && i == check_at;
      if (with_check && !state.verified) {
        failed = true;
      }
      emit(sink, as_json,
           report::WatchEvent{.event = e,
                              .generation_changed = changed,
                              .check = with_check ? std::optional(state) : std::nullopt});
      ++seen;
      if (with_check && !state.verified && fail_fast) {
        why_stop = "fail-fast";
      } else if (has_count && seen >= count) {
        why_stop = "count";
      }
    }
    last_seq = std::max(last_seq, log.last_seq);
  }
  emit(sink, as_json, report::WatchStop{.reason = why_stop, .events = seen, .failed = failed});
  return failed ? kExitMismatch : kExitOk;
}

const Action kAction{"watch",
                     "follow the module's event log (polling), re-verify after every rebuild and "
                     "report stale lists; exit 1 when a verification failed",
                     get_arguments, execute};

}  // namespace
}  // namespace zonelens::cli
