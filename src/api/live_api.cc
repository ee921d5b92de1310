// GET /api/v1/live?session=ID[&epoch=E&last_seq=N]: the live-class WebSocket. The upgrade is
// decided over HTTP (so a refusal is a proper 401/403/404/409 with a JSON error), then the socket
// is bound to that session's room in the hub (src/live). docs/live-protocol.md is the protocol.
#include <charconv>

#include "api/routes.h"
#include "domain/live_schedule.h"
#include "live/hub.h"
#include "net/websocket.h"

namespace homeroom::api {
namespace {

using http::RequestContext;

// The room's Outbound over the connection's WebSocket sender.
class SocketOutbound final : public live::Outbound {
 public:
  explicit SocketOutbound(std::shared_ptr<net::WebSocketSender> sender)
      : sender_(std::move(sender)) {}
  live::SendResult Send(std::shared_ptr<const std::string> frame) override {
    switch (sender_->Send(std::move(frame))) {
      case net::SendResult::kQueued:
        return live::SendResult::kQueued;
      case net::SendResult::kQueueFull:
        return live::SendResult::kQueueFull;
      case net::SendResult::kClosed:
        break;
    }
    return live::SendResult::kClosed;
  }
  void Close(uint16_t code, std::string reason) override {
    sender_->Close(code, std::move(reason));
  }

 private:
  std::shared_ptr<net::WebSocketSender> sender_;
};

// One live socket: joins the room when the handshake is done, then feeds it the client's frames.
class LiveSocket final : public net::WebSocketHandler {
 public:
  LiveSocket(live::Hub& hub, domain::JoinGrant grant, std::optional<live::ResumePoint> resume)
      : hub_(hub), grant_(std::move(grant)), resume_(std::move(resume)) {}

  void OnOpen(std::shared_ptr<net::WebSocketSender> sender) override {
    auto out = std::make_shared<SocketOutbound>(std::move(sender));
    connection_ = hub_.Connect(grant_.room, grant_.participant, std::move(out), resume_);
  }
  void OnText(std::string message) override {
    if (connection_) connection_->OnText(std::move(message));
  }
  void OnClose(uint16_t, std::string_view) override {
    if (connection_) connection_->OnClose();
    connection_.reset();
  }

 private:
  live::Hub& hub_;
  domain::JoinGrant grant_;
  std::optional<live::ResumePoint> resume_;
  std::shared_ptr<live::Connection> connection_;
};

Result<int64_t> QueryInt(const RequestContext& ctx, std::string_view name) {
  std::optional<std::string> text = ctx.Query(name);
  if (!text) return Status::InvalidArgument(std::string(name) + " is required");
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 0) {
    return Status::InvalidArgument(std::string(name) + " must be a non-negative integer");
  }
  return value;
}

// ?epoch=E&last_seq=N, both or neither.
Result<std::optional<live::ResumePoint>> ParseResume(const RequestContext& ctx) {
  std::optional<std::string> epoch = ctx.Query("epoch");
  if (!epoch && !ctx.Query("last_seq")) return std::optional<live::ResumePoint>();
  if (!epoch || epoch->empty()) return Status::InvalidArgument("last_seq needs epoch");
  HR_ASSIGN_OR_RETURN(int64_t last_seq, QueryInt(ctx, "last_seq"));
  return std::optional<live::ResumePoint>(live::ResumePoint{*epoch, last_seq});
}

boost::asio::awaitable<Result<std::shared_ptr<net::WebSocketHandler>>> Connect(
    Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t session_id, QueryInt(ctx, "session"));
  HR_CO_ASSIGN_OR_RETURN(auto resume, ParseResume(ctx));
  HR_CO_ASSIGN_OR_RETURN(domain::JoinGrant grant,
                         co_await s.live->AuthorizeJoin(*ctx.principal, session_id));
  co_return std::shared_ptr<net::WebSocketHandler>(
      std::make_shared<LiveSocket>(*s.hub, std::move(grant), std::move(resume)));
}

}  // namespace

void AddLiveRoutes(http::Router& router, Services& s) {
  router.AddUpgrade("/api/v1/live", [&s](RequestContext& ctx) { return Connect(s, ctx); });
}

}  // namespace homeroom::api
