#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <random>
#include <string>

#include "storm/config.h"
#include "storm/pacer.h"
#include "storm/source_pool.h"
#include "storm/stats.h"
#include "storm/storm.h"

namespace homeroom::storm {

// One running attack: its settings, its own block of source addresses, its pacer (shared by its
// workers) and its stats. Lives until the run's io_context has stopped.
struct AttackContext {
  AttackContext(RunContext& run_context, const AttackSpec& attack_spec, int kind_index,
                TrafficStats& attack_stats)
      : ctx(run_context),
        spec(attack_spec),
        index(kind_index),
        stats(attack_stats),
        block(SourceBlock::Attack(kind_index)),
        pacer(attack_spec.rate, run_context.attack_start, run_context.run_end) {}

  RunContext& ctx;
  const AttackSpec spec;
  const int index;
  TrafficStats& stats;
  const SourceBlock block;
  Pacer pacer;

  // The source address of worker or request `i`: one of spec.sources addresses of the block.
  boost::asio::ip::address Source(uint64_t i) const {
    return block.At(static_cast<size_t>(i % static_cast<uint64_t>(spec.sources)));
  }
  // A seed for worker `worker` that differs per attack and per --seed.
  uint64_t Seed(uint64_t worker) const {
    return ctx.config.seed * 1'000'003 + static_cast<uint64_t>(index) * 65'537 + worker;
  }
};

// Starts the attack's workers on the run's io_context (they wait for attack_start and stop at
// run_end). Each kind is in its own file: attack_flood.cc, attack_slow.cc, attack_login.cc,
// attack_ws.cc, attack_oversized.cc.
void StartAttack(AttackContext& attack);

void StartHttpFlood(AttackContext& attack);
void StartManySourceFlood(AttackContext& attack);
void StartSlowloris(AttackContext& attack);
void StartSlowPost(AttackContext& attack);
void StartSlowRead(AttackContext& attack);
void StartLoginStuffing(AttackContext& attack);
void StartWsConnectFlood(AttackContext& attack);
void StartWsMessageFlood(AttackContext& attack);
void StartOversized(AttackContext& attack);
void StartConnectionExhaustion(AttackContext& attack);

// What a GoldenEye-style flood sends: a random user agent, a random path under the API or the
// site root with a cache-busting query, a random referer.
std::string RandomUserAgent(std::mt19937_64& rng);
std::string RandomPath(std::mt19937_64& rng);
std::string RandomToken(std::mt19937_64& rng, size_t length);

}  // namespace homeroom::storm
