#include "net/http_handler.h"

#include <boost/beast/http/status.hpp>

#include "net/error_response.h"
#include "net/websocket.h"

namespace homeroom::net {

boost::asio::awaitable<UpgradeDecision> HttpHandler::HandleUpgrade(Request&& /*request*/,
                                                                   const ConnectionInfo& /*conn*/) {
  UpgradeDecision decision;
  decision.reject = MakeErrorResponse(boost::beast::http::status::not_found, "not_found",
                                      "no WebSocket endpoint at this path");
  co_return decision;
}

}  // namespace homeroom::net
