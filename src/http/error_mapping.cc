#include "http/error_mapping.h"

#include <boost/beast/http/field.hpp>
#include <string>

#include "net/error_response.h"

namespace homeroom::http {

namespace beast_http = boost::beast::http;

beast_http::status HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return beast_http::status::internal_server_error;
    case StatusCode::kInvalidArgument:
      return beast_http::status::bad_request;
    case StatusCode::kUnauthenticated:
      return beast_http::status::unauthorized;
    case StatusCode::kPermissionDenied:
      return beast_http::status::forbidden;
    case StatusCode::kNotFound:
      return beast_http::status::not_found;
    case StatusCode::kMethodNotAllowed:
      return beast_http::status::method_not_allowed;
    case StatusCode::kConflict:
      return beast_http::status::conflict;
    case StatusCode::kPayloadTooLarge:
      return beast_http::status::payload_too_large;
    case StatusCode::kUnsupportedMedia:
      return beast_http::status::unsupported_media_type;
    case StatusCode::kResourceExhausted:
      return beast_http::status::too_many_requests;
    case StatusCode::kUnavailable:
      return beast_http::status::service_unavailable;
    case StatusCode::kDeadlineExceeded:
      return beast_http::status::gateway_timeout;
    case StatusCode::kInternal:
      return beast_http::status::internal_server_error;
  }
  return beast_http::status::internal_server_error;
}

Response ErrorResponse(const Status& status) {
  if (status.ok()) {
    return net::MakeErrorResponse(beast_http::status::internal_server_error, "internal",
                                  "an error response was built from an OK status");
  }
  Response res = net::MakeErrorResponse(HttpStatusFor(status.code()), StatusCodeName(status.code()),
                                        status.message());
  if (auto retry = status.retry_after_s()) {
    res.set(beast_http::field::retry_after, std::to_string(*retry < 0 ? 0 : *retry));
  }
  return res;
}

}  // namespace homeroom::http
