#include "http/json_codec.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <string>
#include <string_view>

namespace homeroom::http {

namespace beast_http = boost::beast::http;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True for "application/json" with no parameters or only charset=utf-8 (any case, quoted or not).
bool IsJsonContentType(std::string_view value) {
  size_t semi = value.find(';');
  if (!boost::beast::iequals(Trim(value.substr(0, semi)), "application/json")) return false;
  while (semi != std::string_view::npos) {
    value = value.substr(semi + 1);
    semi = value.find(';');
    std::string_view param = Trim(value.substr(0, semi));
    if (param.empty()) continue;
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) return false;
    if (!boost::beast::iequals(Trim(param.substr(0, eq)), "charset")) continue;
    std::string_view charset = Trim(param.substr(eq + 1));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
      charset = charset.substr(1, charset.size() - 2);
    }
    if (!boost::beast::iequals(charset, "utf-8")) return false;
  }
  return true;
}

// False when a number overflowed to infinity ("1e999"): Boost.JSON would serialize it as
// "Infinity", which is not JSON. Recursion is bounded by the depth limit.
bool AllNumbersFinite(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return std::isfinite(v.get_double());
    case boost::json::kind::array:
      for (const auto& e : v.get_array()) {
        if (!AllNumbersFinite(e)) return false;
      }
      return true;
    case boost::json::kind::object:
      for (const auto& kv : v.get_object()) {
        if (!AllNumbersFinite(kv.value())) return false;
      }
      return true;
    default:
      return true;
  }
}

}  // namespace

Result<boost::json::object> ParseJsonObject(const Request& request, const JsonLimits& limits) {
  if (!IsJsonContentType(request[beast_http::field::content_type])) {
    return Status(StatusCode::kUnsupportedMedia, "Content-Type must be application/json");
  }
  const std::string& body = request.body();
  if (body.size() > limits.max_bytes) {
    return Status::PayloadTooLarge("JSON body larger than " + std::to_string(limits.max_bytes) +
                                   " bytes");
  }
  boost::json::parse_options options;
  options.max_depth = limits.max_depth;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  options.allow_invalid_utf8 = false;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec, {}, options);
  if (ec == boost::json::error::too_deep) {
    return Status::InvalidArgument("JSON nested deeper than " + std::to_string(limits.max_depth) +
                                   " levels");
  }
  if (ec) {
    return Status::InvalidArgument("request body is not valid UTF-8 JSON: " + ec.message());
  }
  if (!value.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  if (!AllNumbersFinite(value)) return Status::InvalidArgument("JSON number out of range");
  return std::move(value.as_object());
}

namespace {
// The member `name`, or null when absent.
const boost::json::value* Member(const boost::json::object& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return nullptr;
  return &it->value();
}
}  // namespace

Result<std::optional<std::string>> StringMember(const boost::json::object& body,
                                                std::string_view name) {
  const boost::json::value* v = Member(body, name);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return Status::InvalidArgument(std::string(name) + " must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<int64_t>> IntMember(const boost::json::object& body, std::string_view name) {
  const boost::json::value* v = Member(body, name);
  if (!v) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
    return std::optional<int64_t>(static_cast<int64_t>(v->as_uint64()));
  }
  return Status::InvalidArgument(std::string(name) + " must be an integer");
}

Result<std::optional<bool>> BoolMember(const boost::json::object& body, std::string_view name) {
  const boost::json::value* v = Member(body, name);
  if (!v) return std::optional<bool>();
  if (!v->is_bool()) return Status::InvalidArgument(std::string(name) + " must be true or false");
  return std::optional<bool>(v->as_bool());
}

Response JsonResponse(beast_http::status status, const boost::json::value& body) {
  Response res(status, 11);
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::cache_control, "no-store");
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

}  // namespace homeroom::http
