#pragma once

#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/router.h"

namespace homeroom::http {

// Limits on a JSON request body (threats.md: deep JSON, bad UTF-8).
struct JsonLimits {
  size_t max_bytes = 64 << 10;  // body bytes; larger bodies are kPayloadTooLarge (413)
  size_t max_depth = 32;        // nesting of arrays and objects; deeper is kInvalidArgument (400)
};

// Decodes a request body that must be a JSON object. Checks, in order: Content-Type is
// application/json (a charset parameter other than utf-8 is refused) -> kUnsupportedMedia (415);
// size -> kPayloadTooLarge (413); valid JSON, valid UTF-8, depth -> kInvalidArgument (400); the top
// level is an object, every number finite ("1e999" overflows) -> kInvalidArgument. Never throws.
// Thread-safe (pure function).
Result<boost::json::object> ParseJsonObject(const Request& request, const JsonLimits& limits);

// Members of a decoded body: absent or null is an empty optional; another type is
// kInvalidArgument naming the member ("student_id must be an integer").
Result<std::optional<std::string>> StringMember(const boost::json::object& body,
                                                std::string_view name);
Result<std::optional<int64_t>> IntMember(const boost::json::object& body, std::string_view name);
Result<std::optional<bool>> BoolMember(const boost::json::object& body, std::string_view name);

// A response with `body` serialized, Content-Type application/json and Cache-Control no-store.
Response JsonResponse(boost::beast::http::status status, const boost::json::value& body);

}  // namespace homeroom::http
