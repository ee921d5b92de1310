#include "net/error_response.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace homeroom::net {

namespace http = boost::beast::http;

Response MakeErrorResponse(http::status status, std::string_view code, std::string_view message) {
  boost::json::object error;
  error["code"] = boost::json::string(code);
  error["message"] = boost::json::string(message);
  boost::json::object body;
  body["error"] = std::move(error);
  Response res(status, 11);
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

}  // namespace homeroom::net
