#include "storm/detection.h"

#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "storm/http_client.h"
#include "storm/pacer.h"
#include "storm/source_pool.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace json = boost::json;

std::string AttackStateOf(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  const json::object& obj = v.as_object();
  auto shown = [](const json::value& value) -> std::string {
    if (value.is_string()) return std::string(value.as_string());
    return json::serialize(value);
  };
  if (const auto* s = obj.if_contains("attack_state")) return shown(*s);
  if (const auto* attack = obj.if_contains("attack")) {
    if (const auto* inner = attack->if_object()) {
      // Homeroom's own shape: the types of the attacks in progress, "none" when there is none.
      if (const auto* active = inner->if_contains("active"); active && active->is_array()) {
        std::set<std::string> types;
        for (const auto& a : active->as_array()) {
          const auto* o = a.if_object();
          const auto* type = o ? o->if_contains("type") : nullptr;
          if (type && type->is_string()) types.insert(std::string(type->as_string()));
        }
        std::string joined;
        for (const auto& t : types) joined += (joined.empty() ? "" : "+") + t;
        return joined.empty() ? "none" : joined;
      }
      if (const auto* s = inner->if_contains("state")) return shown(*s);
      if (const auto* t = inner->if_contains("type")) return shown(*t);
    }
    return shown(*attack);
  }
  for (const char* key : {"under_attack", "mode", "state"}) {
    if (const auto* s = obj.if_contains(key)) return shown(*s);
  }
  return "";
}

asio::awaitable<void> RunDetectionProbe(RunContext& ctx) {
  DetectionResult& d = ctx.result.detection;
  if (ctx.admin_token.empty()) co_return;
  auto executor = co_await asio::this_coro::executor;
  HttpConnection conn(executor, ctx.config.target, SourceBlock::Operator().At(0), ctx.budget);
  int missing_in_a_row = 0;
  bool have_before = false;
  bool cleared_since_start = false;  // the attack state was "none" at a poll after the start
  std::string last_state;
  TimePoint next = ctx.run_start;
  while (ctx.Running()) {
    co_await SleepUntil(std::min(next, ctx.run_end));
    if (!ctx.Running()) break;
    next += ctx.config.status_interval;
    Request req =
        MakeRequest(boost::beast::http::verb::get, "/api/v1/admin/status", ctx.admin_token);
    Exchange e = co_await conn.Send(std::move(req), ctx.ExchangeDeadline());
    const TimePoint now = SteadyClock::now();
    ++d.polls;
    d.last_http_status = e.status;
    if (e.status == 404 || e.status == 401 || e.status == 403 || e.status == 405) {
      if (++missing_in_a_row >= 3 && d.availability != DetectionResult::Availability::kAvailable) {
        d.availability = DetectionResult::Availability::kUnavailable;
        break;
      }
      continue;
    }
    if (e.status != 200) continue;  // a busy server may shed the probe too; try again
    missing_in_a_row = 0;
    d.availability = DetectionResult::Availability::kAvailable;
    std::string state = AttackStateOf(e.body);
    const double at = std::chrono::duration<double>(now - ctx.run_start).count();
    if (d.transitions.empty() || state != last_state) {
      if (d.transitions.size() < 64) d.transitions.emplace_back(at, state);
      last_state = state;
    }
    // The baseline: the last state before the attacks started, or the first one seen.
    if (!have_before || now < ctx.attack_start) {
      d.state_before = state;
      have_before = true;
      if (now < ctx.attack_start) continue;
    }
    // Detected: the first attack state after the start that is new, or that came back after the
    // previous scenario's attack ended ("none" in between). A change to "none" is not a detection.
    if (state == "none") cleared_since_start = true;
    const bool detected = state != "none" && (state != d.state_before || cleared_since_start);
    if (!d.seconds && !ctx.result.attacks.empty() && detected) {
      d.state_after = state;
      d.seconds = std::chrono::duration<double>(now - ctx.attack_start).count();
    }
  }
  if (d.availability == DetectionResult::Availability::kNotPolled && d.polls > 0) {
    d.availability = DetectionResult::Availability::kUnavailable;
  }
  conn.Close();
}

}  // namespace homeroom::storm
