#pragma once

#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>

#include "core/status.h"
#include "guard/admission.h"
#include "http/router.h"

namespace homeroom::http {

// The HTTP status for a StatusCode: the one table of the codebase (kOk maps to 500, since an OK
// status is never an error response).
boost::beast::http::status HttpStatusFor(StatusCode code);

// THE one place a Status becomes an HTTP answer: the mapped status, the body
// {"error":{"code":"<StatusCodeName>","message":"<status.message()>"}} (with "reason" when the
// status carries one: Status::WithReason), Content-Type
// application/json, Cache-Control no-store, and Retry-After when the status carries one (429, 503).
// Thread-safe (pure function).
Response ErrorResponse(const Status& status);

// The answer to a request admission refused (guard/admission.h), in the same JSON error shape:
//   kBlocked              403 {"error":{"code":"blocked",...}}
//   kRateLimited*         429 resource_exhausted, Retry-After
//   kShed                 503 unavailable, Retry-After
//   kChallenged           403 {"error":{"code":"challenge_required","message":...,
//                              "challenge":{"challenge":"...","difficulty":14,"expires_at":"...",
//                              "algorithm":"sha256-leading-zero-bits","header":"X-Homeroom-Proof",
//                              "rejected":"missing"}}}
// Thread-safe (pure function). kAccepted is a programming error (answered 500).
Response AdmissionResponse(const guard::AdmissionVerdict& verdict);

// The request header that carries a solved challenge.
inline constexpr const char* kProofHeader = "X-Homeroom-Proof";
// Describes a challenge as JSON (the challenge endpoint and challenge_required errors).
boost::json::object ChallengeJson(const guard::Challenge& challenge);

}  // namespace homeroom::http
