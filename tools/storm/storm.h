#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "storm/config.h"
#include "storm/credentials.h"
#include "storm/http_client.h"
#include "storm/stats.h"

namespace homeroom::storm {

// What the admin status probe saw (detection.cc).
struct DetectionResult {
  enum class Availability { kNotPolled, kUnavailable, kAvailable };
  Availability availability = Availability::kNotPolled;
  int last_http_status = 0;  // of the last poll (404 while the server has no such route)
  uint64_t polls = 0;
  std::string state_before;       // the reported attack state when the attacks started
  std::string state_after;        // the first different state seen after they started
  std::optional<double> seconds;  // from attack start to that change; empty: not detected
  std::vector<std::pair<double, std::string>> transitions;  // (seconds since run start, state)
};

// A legitimate user during the run.
struct LegitUser {
  Account account;
  std::string token;  // empty: signs in with the password during the run
  std::vector<int64_t> section_ids;
  size_t source_index = 0;
};

// Everything the storm measured. Stats objects are stable (held by unique_ptr) because coroutines
// point at them while the storm runs.
struct StormResult {
  // Legitimate traffic, by stream.
  std::unique_ptr<TrafficStats> api = std::make_unique<TrafficStats>("api");
  std::unique_ptr<TrafficStats> login = std::make_unique<TrafficStats>("login");
  std::unique_ptr<TrafficStats> live_connect = std::make_unique<TrafficStats>("live_connect");
  std::unique_ptr<TrafficStats> chat = std::make_unique<TrafficStats>("chat");
  // Setup (sign-ins and rooms before the run): not part of the legitimate figures.
  std::unique_ptr<TrafficStats> setup = std::make_unique<TrafficStats>("setup");
  // One per --attack, in the order given.
  std::vector<std::pair<AttackSpec, std::unique_ptr<TrafficStats>>> attacks;
  DetectionResult detection;
  // Setup facts.
  int legit_users = 0;
  int returning_users = 0;
  std::vector<int64_t> rooms;
  std::optional<int64_t> attacker_room;
  std::string admin_username, attacker_username;
  double setup_seconds = 0;
  double run_seconds = 0;
  // Bounds of the storm itself.
  size_t max_connections = 0;  // the cap in force (--max-connections, or what the limit allows)
  size_t peak_connections = 0;
  uint64_t capped_connections = 0;
  std::vector<std::string> notes;  // what the storm could not do, said plainly
};

// Shared state of one run, handed to the legitimate users, the attacks and the probe. The
// io_context runs on config.threads threads; members are set before the run and read-only
// during it, unless said otherwise.
struct RunContext {
  RunContext(const StormConfig& storm_config, boost::asio::io_context& io_context,
             StormResult& storm_result)
      : config(storm_config),
        io(io_context),
        result(storm_result),
        budget(storm_config.max_connections) {}

  const StormConfig& config;
  boost::asio::io_context& io;
  StormResult& result;
  ConnectionBudget budget;
  TimePoint run_start;
  TimePoint run_end;              // legitimate traffic and attacks stop here
  TimePoint attack_start;         // run_start + attack_delay
  std::vector<Account> accounts;  // every account of --logins (login stuffing picks names here)
  std::string admin_token;
  std::string attacker_token;
  std::optional<int64_t> attacker_room;

  // Tokens gained during the run, written to --token-cache at the end. Guarded by tokens_mu.
  std::mutex tokens_mu;
  std::map<std::string, std::string> tokens;
  void SaveToken(const std::string& username, const std::string& token);

  // The deadline of one exchange started now: the request timeout, but never past the run's end
  // plus a short drain.
  TimePoint ExchangeDeadline() const;
  bool Running() const { return SteadyClock::now() < run_end; }

  // Starts `task` detached on `executor`; the run waits for every spawned task (and stops them
  // at its hard end). An exception escaping a task becomes a note, never a crash.
  void Spawn(boost::asio::any_io_executor executor, boost::asio::awaitable<void> task);
  // Blocks until every spawned task has finished or `until` has passed; true when all finished.
  bool WaitForTasks(TimePoint until);

  // Adds a line to result.notes (thread-safe).
  void Note(std::string note);

 private:
  std::mutex tasks_mu_;
  std::condition_variable tasks_done_;
  int64_t tasks_ = 0;  // guarded by tasks_mu_
  std::mutex notes_mu_;
};

// Time a run keeps going after run_end for exchanges in flight to finish.
inline constexpr std::chrono::milliseconds kDrain{2'000};

// Runs the whole storm: loads credentials, sets up (sign-ins, live rooms), runs the legitimate
// users, the attacks and the status probe for config.duration, then ends the rooms it opened and
// writes the token cache. Blocks the calling thread. Returns the measurements, or an error when
// the run could not start (unreadable credentials, no account for legitimate users, the server
// unreachable during setup). `progress`, when set, receives one line per phase.
// Picks `n` legitimate users (students and teachers) out of `accounts`, by `seed`: whole classes
// (their students and teachers) when the accounts list their classes, so that live rooms fill as
// on a school morning; else at random. Fewer when there are not that many. Returns indexes into
// `accounts`, without repeats.
std::vector<size_t> SelectLegitUsers(const std::vector<Account>& accounts, int n, uint64_t seed);

Result<std::unique_ptr<StormResult>> RunStorm(
    const StormConfig& config, std::function<void(const std::string&)> progress = {});

}  // namespace homeroom::storm
