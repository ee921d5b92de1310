#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace homeroom {

// What went wrong, in terms every layer understands. src/http/error_mapping.cc is the one place
// that turns a code into an HTTP status.
enum class StatusCode {
  kOk,
  kInvalidArgument,    // 400: the request is malformed or a value is out of range
  kUnauthenticated,    // 401: no valid session or wrong credentials
  kPermissionDenied,   // 403: signed in, but not allowed
  kNotFound,           // 404: absent, or hidden because existence must not leak
  kMethodNotAllowed,   // 405: the path exists, but not with this method
  kConflict,           // 409: already exists, or the state does not allow it
  kPayloadTooLarge,    // 413: over a named size limit
  kUnsupportedMedia,   // 415: wrong content type
  kResourceExhausted,  // 429: the caller is over a rate limit (Retry-After)
  kUnavailable,        // 503: we are over capacity or a dependency is down (Retry-After)
  kDeadlineExceeded,   // 504/408: took longer than allowed
  kInternal,           // 500: a bug or an unexpected failure of a dependency
};

// Returns the snake_case name of a code ("invalid_argument"), used in JSON errors and metrics.
std::string_view StatusCodeName(StatusCode code);

// A Status is the result of an operation that returns nothing on success. Errors on request paths
// are values, never exceptions. A Status is a plain value type; it is not synchronized.
class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status MethodNotAllowed(std::string m) {
    return {StatusCode::kMethodNotAllowed, std::move(m)};
  }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status PayloadTooLarge(std::string m) {
    return {StatusCode::kPayloadTooLarge, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  // Over a rate limit; the caller may retry after `retry_after_s` seconds.
  static Status ResourceExhausted(std::string m, int retry_after_s) {
    Status s(StatusCode::kResourceExhausted, std::move(m));
    s.retry_after_s_ = retry_after_s;
    return s;
  }
  // Over capacity; the caller may retry after `retry_after_s` seconds.
  static Status Unavailable(std::string m, int retry_after_s) {
    Status s(StatusCode::kUnavailable, std::move(m));
    s.retry_after_s_ = retry_after_s;
    return s;
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Seconds a client should wait before retrying (429 and 503 only).
  std::optional<int> retry_after_s() const { return retry_after_s_; }
  // A finer, machine-readable reason than the code ("file_too_large", "quota_exceeded"), sent as
  // the JSON error's "reason"; empty when there is none.
  const std::string& reason() const { return reason_; }
  Status WithReason(std::string reason) && {
    reason_ = std::move(reason);
    return std::move(*this);
  }

  // "not_found: section 12 does not exist"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<int> retry_after_s_;
  std::string reason_;
};

// Either a T or a non-OK Status. Construct from a value for success or from a Status for failure;
// constructing from an OK Status is a bug and is turned into kInternal.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose, like absl::StatusOr
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; Status::Ok() when this holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace homeroom

// Propagates a non-OK Status out of the current function.
#define HR_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::homeroom::Status hr_status_ = (expr);  \
    if (!hr_status_.ok()) return hr_status_; \
  } while (0)

#define HR_CONCAT_INNER(a, b) a##b
#define HR_CONCAT(a, b) HR_CONCAT_INNER(a, b)
// HR_ASSIGN_OR_RETURN(auto x, Compute()); declares x from the value or returns the error.
#define HR_ASSIGN_OR_RETURN(decl, expr) \
  HR_ASSIGN_OR_RETURN_IMPL(HR_CONCAT(hr_result_, __LINE__), decl, expr)
#define HR_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  decl = std::move(tmp).value()

// Crashes loudly when an invariant is broken (never for bad input).
#define HR_CHECK(cond, msg) ::homeroom::CheckFailed(cond, #cond, msg, __FILE__, __LINE__)
namespace homeroom {
void CheckFailed(bool ok, const char* cond, const char* msg, const char* file, int line);
}

// The same two macros for coroutines (co_return instead of return):
//   HR_CO_ASSIGN_OR_RETURN(auto section, co_await roster.GetSection(id));
#define HR_CO_RETURN_IF_ERROR(expr)             \
  do {                                          \
    ::homeroom::Status hr_status_ = (expr);     \
    if (!hr_status_.ok()) co_return hr_status_; \
  } while (0)
#define HR_CO_ASSIGN_OR_RETURN(decl, expr) \
  HR_CO_ASSIGN_OR_RETURN_IMPL(HR_CONCAT(hr_result_, __LINE__), decl, expr)
#define HR_CO_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) co_return tmp.status();             \
  decl = std::move(tmp).value()
