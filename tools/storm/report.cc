#include "storm/report.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <fstream>

namespace homeroom::storm {

namespace json = boost::json;

namespace {

// Legitimate traffic of every stream together.
std::unique_ptr<TrafficStats> LegitTotal(const StormResult& r) {
  auto total = std::make_unique<TrafficStats>("total");
  for (const auto* s : {r.api.get(), r.login.get(), r.live_connect.get(), r.chat.get()}) {
    total->Merge(*s);
  }
  return total;
}

std::string DetectionStatus(const StormResult& r) {
  const DetectionResult& d = r.detection;
  if (d.availability != DetectionResult::Availability::kAvailable) return "n/a";
  if (r.attacks.empty()) return "no_attack";
  return d.seconds ? "detected" : "not_detected";
}

double Ms(uint64_t us) { return static_cast<double>(us) / 1000.0; }

uint64_t OtherClientErrors(const TrafficStats& s) {
  uint64_t n = 0;
  for (int status = 400; status < 500; ++status) {
    if (!IsRejection(status)) n += s.StatusCount(status);
  }
  return n;
}

std::string LegitRow(const TrafficStats& s) {
  const uint64_t attempts = s.attempts();
  const double rate = attempts == 0 ? 100.0 : 100.0 * s.successes() / attempts;
  const uint64_t other_failures = attempts - s.successes() - s.StatusCount(429) -
                                  s.StatusCount(503) - s.ErrorCount(NetError::kRefused) -
                                  s.ErrorCount(NetError::kReset) - s.ErrorCount(NetError::kClosed) -
                                  s.ErrorCount(NetError::kTimeout);
  return fmt::format(
      "  {:<14}{:>9}{:>9.2f}%{:>9.1f}{:>9.1f}{:>10.1f}{:>7}{:>7}{:>8}{:>8}{:>8}{:>8}\n", s.name(),
      attempts, rate, Ms(s.latency().Percentile(0.5)), Ms(s.latency().Percentile(0.99)),
      Ms(s.latency().Percentile(0.999)), s.StatusCount(429), s.StatusCount(503),
      s.ErrorCount(NetError::kRefused),
      s.ErrorCount(NetError::kReset) + s.ErrorCount(NetError::kClosed),
      s.ErrorCount(NetError::kTimeout), other_failures);
}

std::string AttackRow(const AttackSpec& spec, const TrafficStats& s) {
  const uint64_t other_rejections = s.StatusCount(408) + s.StatusCount(413) + s.StatusCount(431);
  return fmt::format("  {:<18}{:>9}{:>9}{:>8}{:>6}{:>10}{:>7}{:>7}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}\n",
                     AttackName(spec.kind), s.attempts(), s.successes(), OtherClientErrors(s),
                     s.StatusCount(403), other_rejections, s.StatusCount(429), s.StatusCount(503),
                     s.ErrorCount(NetError::kRefused), s.ErrorCount(NetError::kReset),
                     s.ErrorCount(NetError::kClosed), s.ErrorCount(NetError::kTimeout),
                     s.ErrorCount(NetError::kHeldOpen), s.ErrorCount(NetError::kCapped));
}

}  // namespace

json::object ReportJson(const StormConfig& config, const StormResult& r) {
  json::object out;
  out["tool"] = "homeroom-storm";
  out["version"] = 1;
  out["target"] = config.target.host_header;
  json::object cfg;
  cfg["duration_s"] = config.duration.count() / 1000.0;
  cfg["legit_users"] = r.legit_users;
  cfg["legit_rate"] = config.legit_rate;
  cfg["returning_fraction"] = config.returning_fraction;
  cfg["live"] = config.live;
  cfg["attack_delay_s"] = config.attack_delay.count() / 1000.0;
  cfg["max_connections"] = r.max_connections;
  cfg["threads"] = config.threads;
  cfg["seed"] = config.seed;
  out["config"] = std::move(cfg);
  json::object setup;
  setup["seconds"] = r.setup_seconds;
  setup["returning_users"] = r.returning_users;
  json::array rooms;
  for (int64_t id : r.rooms) rooms.push_back(id);
  setup["rooms"] = std::move(rooms);
  setup["attacker_room"] = r.attacker_room ? json::value(*r.attacker_room) : json::value(nullptr);
  setup["admin"] = r.admin_username;
  setup["attacker"] = r.attacker_username;
  setup["requests"] = r.setup->ToJson();
  out["setup"] = std::move(setup);
  out["run_seconds"] = r.run_seconds;

  json::object legit;
  legit["total"] = LegitTotal(r)->ToJson();
  json::object streams;
  for (const auto* s : {r.api.get(), r.login.get(), r.live_connect.get(), r.chat.get()}) {
    streams[s->name()] = s->ToJson();
  }
  legit["streams"] = std::move(streams);
  out["legit"] = std::move(legit);

  json::object attacks;
  for (const auto& [spec, stats] : r.attacks) {
    json::object a;
    a["rate"] = spec.rate;
    a["sources"] = spec.sources;
    a["connections"] = spec.connections;
    a["stats"] = stats->ToJson();
    attacks[AttackName(spec.kind)] = std::move(a);
  }
  out["attacks"] = std::move(attacks);

  const DetectionResult& d = r.detection;
  json::object detection;
  detection["status"] = DetectionStatus(r);
  detection["seconds"] = d.seconds ? json::value(*d.seconds) : json::value(nullptr);
  detection["before"] = d.state_before;
  detection["after"] = d.state_after;
  detection["polls"] = d.polls;
  detection["last_http_status"] = d.last_http_status;
  json::array transitions;
  for (const auto& [at, state] : d.transitions) {
    transitions.push_back(json::object{{"at_s", at}, {"state", state}});
  }
  detection["transitions"] = std::move(transitions);
  out["detection"] = std::move(detection);

  json::object storm;
  storm["peak_connections"] = r.peak_connections;
  storm["capped_connections"] = r.capped_connections;
  storm["max_connections"] = r.max_connections;
  out["storm"] = std::move(storm);
  json::array notes;
  for (const auto& n : r.notes) notes.push_back(json::value(n));
  out["notes"] = std::move(notes);
  return out;
}

std::string ReportTable(const StormConfig& config, const StormResult& r) {
  std::string out;
  std::string attacks;
  for (const auto& [spec, stats] : r.attacks) {
    attacks += fmt::format("{}{} {:.0f}/s from {} sources", attacks.empty() ? "" : ", ",
                           AttackName(spec.kind), spec.rate, spec.sources);
  }
  out += fmt::format(
      "homeroom-storm -> {}: {:.1f} s run (setup {:.1f} s), {} legitimate users ({} returning), "
      "{} live rooms; attacks: {}\n\n",
      config.target.host_header, r.run_seconds, r.setup_seconds, r.legit_users, r.returning_users,
      r.rooms.size(), attacks.empty() ? "none" : attacks);
  out += fmt::format("  {:<14}{:>9}{:>10}{:>9}{:>9}{:>10}{:>7}{:>7}{:>8}{:>8}{:>8}{:>8}\n",
                     "LEGITIMATE", "requests", "success", "p50 ms", "p99 ms", "p99.9 ms", "429",
                     "503", "refused", "closed", "timeout", "other");
  for (const auto* s : {r.api.get(), r.login.get(), r.live_connect.get(), r.chat.get()}) {
    out += LegitRow(*s);
  }
  out += LegitRow(*LegitTotal(r));
  if (!r.attacks.empty()) {
    out += fmt::format(
        "\n  {:<18}{:>9}{:>9}{:>8}{:>6}{:>10}{:>7}{:>7}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}\n", "ATTACK",
        "attempts", "2xx/101", "4xx", "403", "408/13/31", "429", "503", "refused", "reset",
        "closed", "timeout", "held", "capped");
    for (const auto& [spec, stats] : r.attacks) out += AttackRow(spec, *stats);
    for (const auto& [spec, stats] : r.attacks) {
      auto events = stats->events();
      if (events.empty()) continue;
      std::string line;
      for (const auto& [k, v] : events) line += fmt::format(" {}={}", k, v);
      out += fmt::format("  {} events:{}\n", AttackName(spec.kind), line);
    }
  }
  const DetectionResult& d = r.detection;
  const std::string status = DetectionStatus(r);
  if (status == "n/a") {
    out += fmt::format("\nTime to detect: n/a (GET /api/v1/admin/status {})\n",
                       d.polls == 0 ? std::string("not polled: no admin session")
                                    : "answered " + std::to_string(d.last_http_status));
  } else if (status == "detected") {
    out += fmt::format("\nTime to detect: {:.1f} s (attack state '{}' -> '{}')\n", *d.seconds,
                       d.state_before, d.state_after);
  } else if (status == "not_detected") {
    out += fmt::format("\nTime to detect: not detected during the run (attack state stayed '{}')\n",
                       d.state_before);
  }
  out += fmt::format("Storm: at most {} sockets open at once (cap {}), {} not opened at the cap\n",
                     r.peak_connections, r.max_connections, r.capped_connections);
  if (!r.notes.empty()) {
    out += "Notes:\n";
    for (const auto& n : r.notes) out += "  - " + n + "\n";
  }
  return out;
}

Status WriteReportJson(const std::string& path, const StormConfig& config,
                       const StormResult& result) {
  std::ofstream f(path, std::ios::trunc);
  if (!f) return Status::Unavailable("cannot write " + path, 0);
  f << json::serialize(ReportJson(config, result)) << "\n";
  if (!f) return Status::Unavailable("cannot write " + path, 0);
  return Status::Ok();
}

}  // namespace homeroom::storm
