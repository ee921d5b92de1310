#include "http/error_mapping.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "core/clock.h"
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
  if (!status.reason().empty()) {
    boost::json::object body{{"error", boost::json::object{{"code", StatusCodeName(status.code())},
                                                           {"reason", status.reason()},
                                                           {"message", status.message()}}}};
    res.body() = boost::json::serialize(body);
    res.prepare_payload();
  }
  if (auto retry = status.retry_after_s()) {
    res.set(beast_http::field::retry_after, std::to_string(*retry < 0 ? 0 : *retry));
  }
  return res;
}

boost::json::object ChallengeJson(const guard::Challenge& challenge) {
  return boost::json::object{{"challenge", challenge.text},
                             {"difficulty", challenge.difficulty_bits},
                             {"expires_at", FormatIsoUtc(challenge.expires_ms)},
                             {"algorithm", "sha256-leading-zero-bits"},
                             {"header", kProofHeader}};
}

Response AdmissionResponse(const guard::AdmissionVerdict& verdict) {
  using guard::AdmissionDecision;
  switch (verdict.decision) {
    case AdmissionDecision::kBlocked:
      return net::MakeErrorResponse(beast_http::status::forbidden, "blocked",
                                    "requests from this address are blocked");
    case AdmissionDecision::kRateLimitedIp:
    case AdmissionDecision::kRateLimitedSubnet:
      return ErrorResponse(Status::ResourceExhausted(
          "too many requests from this network; retry later", verdict.retry_after_s));
    case AdmissionDecision::kRateLimitedAccount:
      return ErrorResponse(Status::ResourceExhausted(
          "too many requests from this account; retry later", verdict.retry_after_s));
    case AdmissionDecision::kShed:
      return ErrorResponse(
          Status::Unavailable("the server is busy; retry later", verdict.retry_after_s));
    case AdmissionDecision::kChallenged: {
      Response res = net::MakeErrorResponse(
          beast_http::status::forbidden, "challenge_required",
          "the server is under attack: solve the challenge and send the solution in " +
              std::string(kProofHeader));
      if (verdict.challenge) {
        boost::json::object challenge = ChallengeJson(*verdict.challenge);
        challenge["rejected"] = std::string(guard::ProofResultName(verdict.proof));
        boost::json::object body{
            {"error", boost::json::object{{"code", "challenge_required"},
                                          {"message",
                                           "the server is under attack: solve the "
                                           "challenge and send the solution in " +
                                               std::string(kProofHeader)},
                                          {"challenge", std::move(challenge)}}}};
        res.body() = boost::json::serialize(body);
      }
      return res;
    }
    case AdmissionDecision::kAccepted:
      break;
  }
  return ErrorResponse(Status::Internal("admission accepted the request"));
}

}  // namespace homeroom::http
