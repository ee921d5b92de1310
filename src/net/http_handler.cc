#include "net/http_handler.h"

#include <boost/beast/http/status.hpp>

#include "net/body_reader.h"
#include "net/error_response.h"
#include "net/websocket.h"

namespace homeroom::net {

boost::asio::awaitable<Response> HttpHandler::HandleStream(Request&& request, BodyReader& body,
                                                           const ConnectionInfo& conn) {
  std::string& out = request.body();
  char chunk[16 * 1024];
  for (;;) {
    std::span<char> view(chunk, sizeof(chunk));
    Result<size_t> n = co_await body.Read(view);
    if (!n.ok()) {
      const bool too_large = n.status().code() == StatusCode::kPayloadTooLarge;
      co_return MakeErrorResponse(too_large ? boost::beast::http::status::payload_too_large
                                            : boost::beast::http::status::bad_request,
                                  too_large ? "payload_too_large" : "invalid_argument",
                                  n.status().message());
    }
    if (*n == 0) break;
    out.append(chunk, *n);
  }
  co_return co_await Handle(std::move(request), conn);
}

boost::asio::awaitable<UpgradeDecision> HttpHandler::HandleUpgrade(Request&& /*request*/,
                                                                   const ConnectionInfo& /*conn*/) {
  UpgradeDecision decision;
  decision.reject = MakeErrorResponse(boost::beast::http::status::not_found, "not_found",
                                      "no WebSocket endpoint at this path");
  co_return decision;
}

}  // namespace homeroom::net
