#pragma once

#include <boost/beast/http/status.hpp>
#include <string_view>

#include "net/http_handler.h"

namespace homeroom::net {

// Builds the JSON error every Homeroom error response carries:
//   {"error":{"code":"payload_too_large","message":"request body larger than 65536 bytes"}}
// with Content-Type application/json and Cache-Control no-store. Used by the server for errors it
// answers itself (400, 413, 431, 503); the application maps its Status errors in src/http instead.
// Thread-safe (pure function).
Response MakeErrorResponse(boost::beast::http::status status, std::string_view code,
                           std::string_view message);

}  // namespace homeroom::net
