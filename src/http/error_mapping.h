#pragma once

#include <boost/beast/http/status.hpp>

#include "core/status.h"
#include "http/router.h"

namespace homeroom::http {

// The HTTP status for a StatusCode: the one table of the codebase (kOk maps to 500, since an OK
// status is never an error response).
boost::beast::http::status HttpStatusFor(StatusCode code);

// THE one place a Status becomes an HTTP answer: the mapped status, the body
// {"error":{"code":"<StatusCodeName>","message":"<status.message()>"}}, Content-Type
// application/json, Cache-Control no-store, and Retry-After when the status carries one (429, 503).
// Thread-safe (pure function).
Response ErrorResponse(const Status& status);

}  // namespace homeroom::http
