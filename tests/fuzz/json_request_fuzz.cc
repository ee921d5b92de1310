// libFuzzer target: arbitrary bytes as the body of a JSON request, through http::ParseJsonObject.
// Finds crashes, sanitizer reports and broken invariants (an accepted body must round-trip).
//
//   build/fuzz/tests/fuzz/fuzz_json_request -max_total_time=20
//
// Boost.JSON's parser is compiled into this binary (json_src.cc) so that it is instrumented too.
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/json_codec.h"

namespace {

using homeroom::http::JsonLimits;
using homeroom::http::ParseJsonObject;
using homeroom::http::Request;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Request request(boost::beast::http::verb::post, "/fuzz", 11);
  request.set(boost::beast::http::field::content_type, "application/json; charset=utf-8");
  request.body().assign(reinterpret_cast<const char*>(data), size);

  JsonLimits limits;  // the production defaults
  auto parsed = ParseJsonObject(request, limits);
  if (parsed.ok()) {
    // An accepted object serializes to JSON that parses back to an object of the same size.
    // (Not compared for equality: Boost 1.81 parses doubles to within one ulp, not exactly.)
    std::string text = boost::json::serialize(*parsed);
    boost::system::error_code ec;
    boost::json::value again = boost::json::parse(text, ec);
    if (ec || !again.is_object() || again.as_object().size() != parsed->size()) std::abort();
  } else if (parsed.status().message().empty()) {
    std::abort();  // every refusal explains itself
  }

  // The same bytes under a tight limit exercise the size and depth refusals.
  JsonLimits tight;
  tight.max_bytes = 64;
  tight.max_depth = 3;
  auto small = ParseJsonObject(request, tight);
  if (small.ok() && size > tight.max_bytes) std::abort();
  return 0;
}
