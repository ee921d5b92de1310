#include "http/router.h"

#include <gtest/gtest.h>

#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "http/context.h"

namespace homeroom::http {
namespace {

using boost::beast::http::verb;

Handler Noop() {
  return [](RequestContext&) -> boost::asio::awaitable<Result<Response>> { co_return Response(); };
}

TEST(Router, MatchesLiteralPaths) {
  Router r;
  r.Add(verb::get, "/api/v1/me", Noop());
  auto m = r.Find(verb::get, "/api/v1/me");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/me");
  EXPECT_TRUE(m.path_params.empty());
}

TEST(Router, CapturesNamedParametersDecoded) {
  Router r;
  r.Add(verb::get, "/api/v1/sections/{id}/students/{student}", Noop());
  auto m = r.Find(verb::get, "/api/v1/sections/12/students/a%20b");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  ASSERT_EQ(m.path_params.size(), 2u);
  EXPECT_EQ(m.path_params[0], (std::pair<std::string, std::string>("id", "12")));
  EXPECT_EQ(m.path_params[1], (std::pair<std::string, std::string>("student", "a b")));
}

TEST(Router, LiteralSegmentsWinOverParametersWithBacktracking) {
  Router r;
  r.Add(verb::get, "/sections/{id}", Noop());
  r.Add(verb::get, "/sections/mine", Noop());
  r.Add(verb::get, "/sections/mine/extra/{x}", Noop());
  r.Add(verb::get, "/sections/{id}/students", Noop());
  EXPECT_EQ(r.Find(verb::get, "/sections/mine").route->pattern, "/sections/mine");
  EXPECT_EQ(r.Find(verb::get, "/sections/7").route->pattern, "/sections/{id}");
  // "mine" is literal, but only the parameter branch continues with "students".
  auto m = r.Find(verb::get, "/sections/mine/students");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/sections/{id}/students");
  EXPECT_EQ(m.path_params[0].second, "mine");
}

TEST(Router, UnknownPathIsNotFound) {
  Router r;
  r.Add(verb::get, "/a/{id}", Noop());
  EXPECT_EQ(r.Find(verb::get, "/b").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Find(verb::get, "/a").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Find(verb::get, "/a/1/2").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Find(verb::get, "/a/").kind, RouteMatch::Kind::kNotFound);  // empty parameter
  EXPECT_EQ(r.Find(verb::get, "relative").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Find(verb::get, "").kind, RouteMatch::Kind::kNotFound);
}

TEST(Router, KnownPathWithAnotherMethodIsMethodNotAllowedWithAllow) {
  Router r;
  r.Add(verb::get, "/items/{id}", Noop());
  r.Add(verb::delete_, "/items/{id}", Noop());
  r.Add(verb::put, "/items/special", Noop());
  auto m = r.Find(verb::post, "/items/special");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.AllowHeader(), "DELETE, GET, PUT");
  // A method the literal lacks still matches through the parameter.
  EXPECT_EQ(r.Find(verb::get, "/items/special").route->pattern, "/items/{id}");
}

TEST(Router, RootPathMatches) {
  Router r;
  r.Add(verb::get, "/", Noop());
  EXPECT_EQ(r.Find(verb::get, "/").kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(r.Find(verb::get, "/x").kind, RouteMatch::Kind::kNotFound);
}

TEST(Router, ManyRoutesEachFindTheirOwn) {
  Router r;
  for (int i = 0; i < 200; ++i) {
    r.Add(verb::get, "/api/v1/r" + std::to_string(i) + "/{id}", Noop());
    r.Add(verb::post, "/api/v1/r" + std::to_string(i), Noop(), {Access::kPublic, 10 * 1024});
  }
  EXPECT_EQ(r.routes().size(), 400u);
  for (int i = 0; i < 200; ++i) {
    auto m = r.Find(verb::get, "/api/v1/r" + std::to_string(i) + "/" + std::to_string(i * 3));
    ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(m.route->pattern, "/api/v1/r" + std::to_string(i) + "/{id}");
    EXPECT_EQ(m.path_params[0].second, std::to_string(i * 3));
    auto p = r.Find(verb::post, "/api/v1/r" + std::to_string(i));
    ASSERT_EQ(p.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(p.route->options.body_limit, 10u * 1024);
    EXPECT_EQ(p.route->options.access, Access::kPublic);
  }
}

TEST(Router, UpgradeRoutesAreListedAsGetWithTheUpgradeFlag) {
  Router r;
  r.Add(verb::get, "/api/v1/me", Noop());
  r.AddUpgrade("/api/v1/live",
               [](RequestContext&)
                   -> boost::asio::awaitable<Result<std::shared_ptr<net::WebSocketHandler>>> {
                 co_return Status::NotFound("none");
               });
  ASSERT_EQ(r.routes().size(), 2u);
  const Route& live = r.routes()[1];
  EXPECT_EQ(live.method, verb::get);
  EXPECT_EQ(live.pattern, "/api/v1/live");
  EXPECT_TRUE(live.upgrade);
  EXPECT_TRUE(live.upgrade_handler != nullptr);
  EXPECT_FALSE(live.handler);
  EXPECT_FALSE(r.routes()[0].upgrade);
  auto m = r.Find(verb::get, "/api/v1/live");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_TRUE(m.route->upgrade);
  EXPECT_EQ(r.Find(verb::post, "/api/v1/live").kind, RouteMatch::Kind::kMethodNotAllowed);
}

TEST(RouterDeathTest, DuplicateRouteCrashesAtStartup) {
  Router r;
  r.Add(verb::get, "/a/{id}", Noop());
  EXPECT_DEATH(r.Add(verb::get, "/a/{other}", Noop()), "added twice");
  EXPECT_DEATH(r.Add(verb::get, "no-slash", Noop()), "must start");
  EXPECT_DEATH(r.Add(verb::get, "/a/{b", Noop()), "malformed");
}

}  // namespace
}  // namespace homeroom::http

namespace homeroom::http {
namespace {

TEST(RouterFallback, TakesGetsNoRouteMatchesOutsideTheExceptedPrefix) {
  Router r;
  r.Add(verb::get, "/api/v1/me", Noop());
  r.Add(verb::post, "/login", Noop());
  r.SetFallback(Noop(), {.access = Access::kPublic, .route_class = guard::RouteClass::kStatic},
                "/api");
  auto page = r.Find(verb::get, "/room/12");
  ASSERT_EQ(page.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(page.route->pattern, "/*");
  EXPECT_EQ(page.route->route_class, guard::RouteClass::kStatic);
  EXPECT_EQ(r.Find(verb::get, "/").kind, RouteMatch::Kind::kFound);
  // Routes still win, and the API's unknown paths stay unknown.
  EXPECT_EQ(r.Find(verb::get, "/api/v1/me").route->pattern, "/api/v1/me");
  EXPECT_EQ(r.Find(verb::get, "/api/v1/nope").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Find(verb::get, "/api").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Find(verb::get, "/apiary").kind, RouteMatch::Kind::kFound);
  // Only GET; a path with routes of other methods is still a 405.
  EXPECT_EQ(r.Find(verb::post, "/room/12").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Find(verb::get, "/login").kind, RouteMatch::Kind::kMethodNotAllowed);
  // Not a listed route (docs/openapi.yaml lists routes()).
  EXPECT_EQ(r.routes().size(), 2u);
}

}  // namespace
}  // namespace homeroom::http
