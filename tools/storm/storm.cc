#include "storm/storm.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <random>
#include <set>
#include <thread>

#include "storm/attack.h"
#include "storm/detection.h"
#include "storm/legit.h"
#include "storm/setup.h"

namespace homeroom::storm {

namespace asio = boost::asio;

void RunContext::SaveToken(const std::string& username, const std::string& token) {
  std::lock_guard lock(tokens_mu);
  tokens[username] = token;
}

TimePoint RunContext::ExchangeDeadline() const {
  return std::min(SteadyClock::now() + config.request_timeout, run_end + kDrain);
}

void RunContext::Spawn(asio::any_io_executor executor, asio::awaitable<void> task) {
  {
    std::lock_guard lock(tasks_mu_);
    ++tasks_;
  }
  asio::co_spawn(executor, std::move(task), [this](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        Note(std::string("a task failed: ") + e.what());
      } catch (...) {
        Note("a task failed");
      }
    }
    std::lock_guard lock(tasks_mu_);
    if (--tasks_ == 0) tasks_done_.notify_all();
  });
}

bool RunContext::WaitForTasks(TimePoint until) {
  std::unique_lock lock(tasks_mu_);
  return tasks_done_.wait_until(lock, until, [this] { return tasks_ == 0; });
}

void RunContext::Note(std::string note) {
  std::lock_guard lock(notes_mu_);
  // Many workers may fail alike: keep the list short.
  if (result.notes.size() >= 50) return;
  if (std::find(result.notes.begin(), result.notes.end(), note) == result.notes.end()) {
    result.notes.push_back(std::move(note));
  }
}

std::vector<size_t> SelectLegitUsers(const std::vector<Account>& accounts, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const size_t want = static_cast<size_t>(std::max(0, n));
  auto eligible = [&](size_t i) {
    return accounts[i].role == "student" || accounts[i].role == "teacher";
  };
  // With class lists: whole classes, in a shuffled order, so that live rooms fill as they would.
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (!eligible(i)) continue;
    for (const auto& c : accounts[i].classes) members[c].push_back(i);
  }
  std::vector<size_t> chosen;
  if (!members.empty()) {
    std::vector<const std::vector<size_t>*> classes;
    for (const auto& [name, list] : members) classes.push_back(&list);
    std::shuffle(classes.begin(), classes.end(), rng);
    std::set<size_t> seen;
    for (const auto* list : classes) {
      for (size_t i : *list) {
        if (chosen.size() >= want) break;
        if (seen.insert(i).second) chosen.push_back(i);
      }
      if (chosen.size() >= want) break;
    }
    if (chosen.size() >= want) return chosen;
  }
  // Without (or not enough): any students and teachers.
  std::set<size_t> taken(chosen.begin(), chosen.end());
  std::vector<size_t> rest;
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (eligible(i) && !taken.count(i)) rest.push_back(i);
  }
  std::shuffle(rest.begin(), rest.end(), rng);
  for (size_t i : rest) {
    if (chosen.size() >= want) break;
    chosen.push_back(i);
  }
  return chosen;
}

namespace {

const Account* FindAccount(const std::vector<Account>& accounts, const std::string& username) {
  for (const auto& a : accounts) {
    if (a.username == username) return &a;
  }
  return nullptr;
}

// Lets the storm hold --max-connections sockets: raises the soft descriptor limit to the hard
// one. Returns the connections the limit allows (some descriptors kept for the process).
size_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur > 256 ? static_cast<size_t>(limit.rlim_cur) - 128 : 128;
}

}  // namespace

Result<std::unique_ptr<StormResult>> RunStorm(const StormConfig& input,
                                              std::function<void(const std::string&)> progress) {
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  StormConfig config = input;
  const size_t descriptors = RaiseDescriptorLimit();
  auto result = std::make_unique<StormResult>();
  if (config.max_connections == 0) {
    config.max_connections = std::min(kDefaultMaxConnections, descriptors);
  } else if (config.max_connections > descriptors) {
    result->notes.push_back("--max-connections lowered to " + std::to_string(descriptors) +
                            " (the descriptor limit)");
    config.max_connections = descriptors;
  }

  result->max_connections = config.max_connections;
  std::vector<Account> accounts;
  if (!config.logins_path.empty()) {
    HR_ASSIGN_OR_RETURN(accounts, LoadAccounts(config.logins_path));
  }
  if (config.legit_users > 0 && accounts.empty()) {
    return Status::InvalidArgument(
        "legitimate users need credentials: --logins PATH (or --legit-users 0 for attacks only)");
  }
  std::map<std::string, std::string> tokens;
  if (!config.token_cache.empty()) {
    HR_ASSIGN_OR_RETURN(tokens, ReadTokenCache(config.token_cache));
  }

  // Who is who.
  std::vector<size_t> chosen = SelectLegitUsers(accounts, config.legit_users, config.seed);
  if (static_cast<int>(chosen.size()) < config.legit_users) {
    result->notes.push_back("only " + std::to_string(chosen.size()) +
                            " students and teachers in --logins; --legit-users was " +
                            std::to_string(config.legit_users));
  }
  config.legit_users = static_cast<int>(chosen.size());
  // Which of them start with a session (the first returning_fraction) is left to chance.
  std::mt19937_64 order_rng(config.seed + 1);
  std::shuffle(chosen.begin(), chosen.end(), order_rng);
  std::vector<LegitUser> users;
  for (size_t i = 0; i < chosen.size(); ++i) {
    users.push_back(LegitUser{.account = accounts[chosen[i]], .source_index = i});
  }
  const Account* admin = nullptr;
  if (!config.admin_username.empty()) {
    admin = FindAccount(accounts, config.admin_username);
    if (!admin)
      return Status::InvalidArgument("--admin " + config.admin_username + ": not in --logins");
  } else {
    for (const char* role : {"district_admin", "school_admin"}) {
      for (const auto& a : accounts) {
        if (!admin && a.role == role) admin = &a;
      }
    }
  }
  const Account* attacker = nullptr;
  if (!config.attacker_username.empty()) {
    attacker = FindAccount(accounts, config.attacker_username);
    if (!attacker) {
      return Status::InvalidArgument("--attacker " + config.attacker_username +
                                     ": not in --logins");
    }
  } else if (!config.attacks.empty()) {
    std::set<std::string> legit_names;
    for (const auto& u : users) legit_names.insert(u.account.username);
    for (const auto& a : accounts) {
      if (!attacker && a.role == "student" && !legit_names.count(a.username)) attacker = &a;
    }
  }
  result->legit_users = config.legit_users;
  result->admin_username = admin ? admin->username : "";
  result->attacker_username = attacker ? attacker->username : "";

  // Setup.
  say("setup: " + std::to_string(users.size()) + " legitimate users, " +
      std::to_string(accounts.size()) + " accounts");
  const TimePoint setup_start = SteadyClock::now();
  HR_ASSIGN_OR_RETURN(SetupResult setup, RunSetup(config, accounts, std::move(users), admin,
                                                  attacker, tokens, *result->setup));
  result->setup_seconds = std::chrono::duration<double>(SteadyClock::now() - setup_start).count();
  for (auto& note : setup.notes) result->notes.push_back(std::move(note));
  result->rooms = setup.rooms;
  result->attacker_room = setup.attacker_room;
  for (const auto& u : setup.users) result->returning_users += u.token.empty() ? 0 : 1;
  say("setup done in " + std::to_string(static_cast<int>(result->setup_seconds)) +
      " s: " + std::to_string(result->returning_users) + " returning sessions, " +
      std::to_string(setup.rooms.size()) + " live rooms");

  // The run.
  auto io = std::make_unique<asio::io_context>(config.threads);
  RunContext ctx(config, *io, *result);
  ctx.accounts = accounts;
  ctx.admin_token = setup.admin_token;
  ctx.attacker_token = setup.attacker_token;
  ctx.attacker_room = setup.attacker_room;
  ctx.run_start = SteadyClock::now() + std::chrono::milliseconds(50);
  ctx.run_end = ctx.run_start + config.duration;
  ctx.attack_start = std::min(ctx.run_start + config.attack_delay, ctx.run_end);

  for (size_t i = 0; i < setup.users.size(); ++i) {
    const TimePoint start_at =
        std::min(ctx.run_end,
                 ctx.run_start + config.ramp_up * static_cast<int64_t>(i) /
                                     static_cast<int64_t>(std::max<size_t>(1, setup.users.size())));
    auto task = RunLegitUser(ctx, std::move(setup.users[i]), start_at, config.seed * 7919 + i);
    ctx.Spawn(asio::make_strand(*io), std::move(task));
  }
  std::vector<std::unique_ptr<AttackContext>> attacks;
  for (const auto& spec : config.attacks) {
    result->attacks.emplace_back(spec, std::make_unique<TrafficStats>(AttackName(spec.kind)));
  }
  for (auto& [spec, stats] : result->attacks) {
    attacks.push_back(
        std::make_unique<AttackContext>(ctx, spec, static_cast<int>(spec.kind), *stats));
    StartAttack(*attacks.back());
  }
  {
    auto probe = RunDetectionProbe(ctx);
    ctx.Spawn(asio::make_strand(*io), std::move(probe));
  }
  say("run: " + std::to_string(config.duration.count() / 1000) + " s");
  std::vector<std::thread> threads;
  for (int i = 0; i < config.threads; ++i) threads.emplace_back([&io] { io->run(); });
  // Everything ends by itself at run_end (exchanges within the drain); whatever has not by the
  // hard end is stopped.
  const TimePoint hard_end = ctx.run_end + kDrain + std::chrono::seconds(1);
  if (!ctx.WaitForTasks(hard_end)) ctx.Note("some tasks were still running at the hard end");
  io->stop();
  for (auto& t : threads) t.join();
  result->run_seconds = std::chrono::duration<double>(SteadyClock::now() - ctx.run_start).count();
  // Destroys what is left of the tasks while ctx and the attacks still exist.
  io.reset();
  result->peak_connections = ctx.budget.peak();
  result->capped_connections = ctx.budget.capped();

  // Teardown: end the rooms, keep the tokens for the next run.
  EndRooms(config, setup.room_tokens);
  if (!config.token_cache.empty()) {
    for (const auto& [user, token] : ctx.tokens) tokens[user] = token;
    Status written = WriteTokenCache(config.token_cache, tokens);
    if (!written.ok()) result->notes.push_back(written.ToString());
  }
  return result;
}

}  // namespace homeroom::storm
