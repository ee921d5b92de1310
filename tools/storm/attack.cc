#include "storm/attack.h"

#include <array>

namespace homeroom::storm {

void StartAttack(AttackContext& attack) {
  switch (attack.spec.kind) {
    case AttackKind::kHttpFlood:
      return StartHttpFlood(attack);
    case AttackKind::kManySourceFlood:
      return StartManySourceFlood(attack);
    case AttackKind::kSlowloris:
      return StartSlowloris(attack);
    case AttackKind::kSlowPost:
      return StartSlowPost(attack);
    case AttackKind::kSlowRead:
      return StartSlowRead(attack);
    case AttackKind::kLoginStuffing:
      return StartLoginStuffing(attack);
    case AttackKind::kWsConnectFlood:
      return StartWsConnectFlood(attack);
    case AttackKind::kWsMessageFlood:
      return StartWsMessageFlood(attack);
    case AttackKind::kOversized:
      return StartOversized(attack);
    case AttackKind::kConnectionExhaustion:
      return StartConnectionExhaustion(attack);
  }
}

std::string RandomToken(std::mt19937_64& rng, size_t length) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(length, 'a');
  for (char& c : out) c = kChars[rng() % (sizeof(kChars) - 1)];
  return out;
}

std::string RandomUserAgent(std::mt19937_64& rng) {
  static constexpr std::array<const char*, 8> kAgents = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.2 Safari/605.1.15",
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile",
      "Mozilla/5.0 (X11; CrOS x86_64 15633.69.0) AppleWebKit/537.36 Chrome/119.0 Safari/537.36",
      "curl/7.88.1",
      "python-requests/2.31.0",
  };
  std::string agent = kAgents[rng() % kAgents.size()];
  // A random suffix, so that no fixed agent string identifies the flood.
  return agent + " r/" + RandomToken(rng, 6);
}

std::string RandomPath(std::mt19937_64& rng) {
  static constexpr std::array<const char*, 10> kPaths = {
      "/",
      "/api/v1/me",
      "/api/v1/me/sections",
      "/api/v1/schools",
      "/healthz",
      "/api/v1/sections/1",
      "/login",
      "/index.html",
      "/api/v1/users",
      "/static/app.js",
  };
  std::string path = kPaths[rng() % kPaths.size()];
  if (rng() % 3 == 0) path += (path.back() == '/' ? "" : "/") + RandomToken(rng, 8);
  path += "?" + RandomToken(rng, 4) + "=" + RandomToken(rng, 10);
  return path;
}

}  // namespace homeroom::storm
