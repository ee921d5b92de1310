#include "http/error_mapping.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

namespace homeroom::http {
namespace {

namespace beast_http = boost::beast::http;

TEST(ErrorMapping, EveryStatusCodeHasItsHttpStatus) {
  struct Row {
    StatusCode code;
    unsigned http;
    const char* name;
  };
  const Row table[] = {
      {StatusCode::kInvalidArgument, 400, "invalid_argument"},
      {StatusCode::kUnauthenticated, 401, "unauthenticated"},
      {StatusCode::kPermissionDenied, 403, "permission_denied"},
      {StatusCode::kNotFound, 404, "not_found"},
      {StatusCode::kMethodNotAllowed, 405, "method_not_allowed"},
      {StatusCode::kConflict, 409, "conflict"},
      {StatusCode::kPayloadTooLarge, 413, "payload_too_large"},
      {StatusCode::kUnsupportedMedia, 415, "unsupported_media_type"},
      {StatusCode::kResourceExhausted, 429, "rate_limited"},
      {StatusCode::kUnavailable, 503, "unavailable"},
      {StatusCode::kDeadlineExceeded, 504, "deadline_exceeded"},
      {StatusCode::kInternal, 500, "internal"},
  };
  // Every code but kOk is in the table (kOk is the first enumerator, kInternal the last).
  EXPECT_EQ(std::size(table), static_cast<size_t>(StatusCode::kInternal));
  for (const Row& row : table) {
    EXPECT_EQ(static_cast<unsigned>(HttpStatusFor(row.code)), row.http) << row.name;
    Response res = ErrorResponse(Status(row.code, "why it failed"));
    EXPECT_EQ(res.result_int(), row.http) << row.name;
    EXPECT_EQ(res[beast_http::field::content_type], "application/json");
    auto body = boost::json::parse(res.body()).as_object();
    EXPECT_EQ(body.at("error").at("code").as_string(), row.name);
    EXPECT_EQ(body.at("error").at("message").as_string(), "why it failed");
  }
}

TEST(ErrorMapping, RetryAfterIsSentFor429And503) {
  Response limited = ErrorResponse(Status::ResourceExhausted("slow down", 7));
  EXPECT_EQ(limited[beast_http::field::retry_after], "7");
  Response busy = ErrorResponse(Status::Unavailable("busy", 2));
  EXPECT_EQ(busy[beast_http::field::retry_after], "2");
  Response plain = ErrorResponse(Status::NotFound("x"));
  EXPECT_EQ(plain.find(beast_http::field::retry_after), plain.end());
}

TEST(ErrorMapping, AnOkStatusBecomesA500) {
  EXPECT_EQ(ErrorResponse(Status::Ok()).result_int(), 500u);
}

}  // namespace
}  // namespace homeroom::http
