#pragma once

#include <string>

namespace homeroom::http {

// A fresh request id: 16 lowercase hex characters (64 random bits), sent as X-Request-Id and
// logged with the request. Not a secret. Thread-safe (a generator per thread).
std::string NewRequestId();

}  // namespace homeroom::http
