#include "http/context.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <set>

#include "http/request_id.h"

namespace homeroom::http {
namespace {

namespace beast_http = boost::beast::http;

struct Ctx {
  explicit Ctx(std::string target) : request(beast_http::verb::get, target, 11) {}
  RequestContext Make() {
    return RequestContext{request, conn, "id", "127.0.0.1", nullptr, params, {}};
  }
  Request request;
  net::ConnectionInfo conn;
  std::vector<std::pair<std::string, std::string>> params;
};

TEST(RequestContext, PathIntParsesIntegersAndRefusesTheRest) {
  Ctx c("/x");
  c.params = {
      {"id", "42"}, {"neg", "-7"}, {"bad", "12a"}, {"big", "99999999999999999999"}, {"empty", ""}};
  auto ctx = c.Make();
  EXPECT_EQ(*ctx.PathInt("id"), 42);
  EXPECT_EQ(*ctx.PathInt("neg"), -7);
  for (const char* name : {"bad", "big", "empty", "absent"}) {
    auto r = ctx.PathInt(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(RequestContext, QueryIsDecodedByBoostUrl) {
  Ctx c("/search?q=caf%C3%A9+au+lait&page=2&empty=&q=second");
  auto ctx = c.Make();
  EXPECT_EQ(ctx.Query("q"), "café au lait");
  EXPECT_EQ(ctx.Query("page"), "2");
  EXPECT_EQ(ctx.Query("empty"), "");
  EXPECT_EQ(ctx.Query("missing"), std::nullopt);
  Ctx bad("not a target");
  EXPECT_EQ(bad.Make().Query("q"), std::nullopt);
}

TEST(RequestContext, CookieFindsTheNamedCookie) {
  Ctx c("/");
  c.request.insert(beast_http::field::cookie, "theme=dark; hr_session=abc123;x=\"quoted\"");
  c.request.insert(beast_http::field::cookie, "other=1");
  auto ctx = c.Make();
  EXPECT_EQ(ctx.Cookie("hr_session"), "abc123");
  EXPECT_EQ(ctx.Cookie("x"), "quoted");
  EXPECT_EQ(ctx.Cookie("other"), "1");
  EXPECT_EQ(ctx.Cookie("hr"), std::nullopt);
}

TEST(RequestId, IsSixteenLowercaseHexCharactersAndFresh) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 16u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace homeroom::http
