#include "http/json_codec.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace homeroom::http {
namespace {

namespace beast_http = boost::beast::http;

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request req(beast_http::verb::post, "/x", 11);
  if (!content_type.empty()) req.set(beast_http::field::content_type, content_type);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonCodec, ParsesAnObject) {
  auto r = ParseJsonObject(JsonRequest(R"({"name":"Ada","n":3})"), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("name").as_string(), "Ada");
  EXPECT_EQ(r->at("n").as_int64(), 3);
}

TEST(JsonCodec, AcceptsUtf8CharsetAndCaseInsensitiveMediaType) {
  EXPECT_TRUE(ParseJsonObject(JsonRequest("{}", "Application/JSON; charset=UTF-8"), {}).ok());
  EXPECT_TRUE(ParseJsonObject(JsonRequest("{}", "application/json;charset=\"utf-8\""), {}).ok());
}

TEST(JsonCodec, WrongOrMissingContentTypeIs415) {
  for (std::string type :
       {"text/plain", "", "application/jsonx", "application/json; charset=latin1",
        "application/x-www-form-urlencoded"}) {
    auto r = ParseJsonObject(JsonRequest("{}", type), {});
    ASSERT_FALSE(r.ok()) << type;
    EXPECT_EQ(r.status().code(), StatusCode::kUnsupportedMedia) << type;
  }
}

TEST(JsonCodec, BodyOverTheSizeLimitIs413) {
  JsonLimits limits;
  limits.max_bytes = 16;
  auto r = ParseJsonObject(JsonRequest(R"({"a":"0123456789abcdef"})"), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPayloadTooLarge);
  EXPECT_EQ(r.status().message(), "JSON body larger than 16 bytes");
}

TEST(JsonCodec, NestingDeeperThanTheLimitIs400) {
  JsonLimits limits;
  limits.max_depth = 8;
  EXPECT_TRUE(ParseJsonObject(JsonRequest(R"({"a":)" + Nested(7) + "}"), limits).ok());
  auto r = ParseJsonObject(JsonRequest(R"({"a":)" + Nested(8) + "}"), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "JSON nested deeper than 8 levels");
  // The default limit holds against a deep bomb well inside the size limit.
  auto bomb = ParseJsonObject(JsonRequest(R"({"a":)" + Nested(10000) + "}"), {});
  EXPECT_EQ(bomb.status().code(), StatusCode::kInvalidArgument);
}

TEST(JsonCodec, InvalidUtf8Is400) {
  for (std::string body : {std::string("{\"a\":\"\xff\"}"), std::string("{\"\xc3\x28\":1}"),
                           std::string("{\"a\":\"\xed\xa0\x80\"}")}) {
    auto r = ParseJsonObject(JsonRequest(body), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(ParseJsonObject(JsonRequest("{\"a\":\"caf\xc3\xa9\"}"), {}).ok());
}

TEST(JsonCodec, InvalidJsonIs400) {
  for (std::string body : {"", "{", "{\"a\":1,}", "{} {}", "{\"a\":1 /* c */}", "nul"}) {
    auto r = ParseJsonObject(JsonRequest(body), {});
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(JsonCodec, NumberThatOverflowsToInfinityIs400) {
  // Found by fuzz_json_request: Boost.JSON would serialize it back as "Infinity", not JSON.
  auto r = ParseJsonObject(JsonRequest(R"({"a":[1,{"b":100e00000000001727595426}]})"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "JSON number out of range");
  EXPECT_TRUE(ParseJsonObject(JsonRequest(R"({"a":1.5e300,"b":-12})"), {}).ok());
}

TEST(JsonCodec, TopLevelThatIsNotAnObjectIs400) {
  for (std::string body : {"[]", "1", "\"s\"", "null", "true"}) {
    auto r = ParseJsonObject(JsonRequest(body), {});
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().message(), "request body must be a JSON object");
  }
}

TEST(JsonCodec, JsonResponseSerializesWithHeaders) {
  Response res = JsonResponse(beast_http::status::created, boost::json::object{{"id", 7}});
  EXPECT_EQ(res.result(), beast_http::status::created);
  EXPECT_EQ(res.body(), R"({"id":7})");
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
  EXPECT_EQ(res[beast_http::field::content_length], "8");
}

}  // namespace
}  // namespace homeroom::http
