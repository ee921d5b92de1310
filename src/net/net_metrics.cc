#include "net/net_metrics.h"

namespace homeroom::net {
namespace {

constexpr const char* kOpen = "homeroom_net_open_connections";
constexpr const char* kAccepted = "homeroom_net_connections_accepted_total";
constexpr const char* kRefused = "homeroom_net_connections_refused_total";
constexpr const char* kTimeouts = "homeroom_net_timeouts_total";
constexpr const char* kEvicted = "homeroom_net_connections_evicted_total";
constexpr const char* kShortened = "homeroom_net_idle_timeout_shortened";
constexpr const char* kBad = "homeroom_net_bad_requests_total";
constexpr const char* kAcceptErrors = "homeroom_net_accept_errors_total";
constexpr const char* kRequests = "homeroom_net_requests_total";
constexpr const char* kWsUpgrades = "homeroom_net_ws_upgrades_total";
constexpr const char* kWsOpen = "homeroom_net_ws_open";
constexpr const char* kWsIn = "homeroom_net_ws_messages_in_total";
constexpr const char* kWsOut = "homeroom_net_ws_messages_out_total";
constexpr const char* kWsQueued = "homeroom_net_ws_queued_bytes";
constexpr const char* kWsCloses = "homeroom_net_ws_closes_total";
constexpr const char* kWsClosesHelp = "WebSocket connections ended, by reason.";

}  // namespace

NetMetrics::NetMetrics(metrics::Registry& r, const std::string& s)
    : open_connections(r.GetGauge(kOpen, "Open client connections.", {{"server", s}})),
      accepted(r.GetCounter(kAccepted, "Connections accepted.", {{"server", s}})),
      refused_global_cap(r.GetCounter(kRefused, "Connections refused at accept, by reason.",
                                      {{"server", s}, {"reason", "global_cap"}})),
      refused_per_ip_cap(r.GetCounter(kRefused, "Connections refused at accept, by reason.",
                                      {{"server", s}, {"reason", "per_ip_cap"}})),
      refused_shutting_down(r.GetCounter(kRefused, "Connections refused at accept, by reason.",
                                         {{"server", s}, {"reason", "shutting_down"}})),
      refused_per_subnet_cap(r.GetCounter(kRefused, "Connections refused at accept, by reason.",
                                          {{"server", s}, {"reason", "per_subnet_cap"}})),
      refused_blocked(r.GetCounter(kRefused, "Connections refused at accept, by reason.",
                                   {{"server", s}, {"reason", "blocked"}})),
      evicted(r.GetCounter(kEvicted,
                           "Idle connections that never signed in, closed to make room for a new "
                           "one at the global cap.",
                           {{"server", s}})),
      idle_timeout_shortened(r.GetGauge(
          kShortened, "1 while connection pressure shortens the keep-alive idle timeout.",
          {{"server", s}})),
      timeout_head(r.GetCounter(kTimeouts, "Connections closed by a deadline, by kind.",
                                {{"server", s}, {"kind", "head"}})),
      timeout_idle(r.GetCounter(kTimeouts, "Connections closed by a deadline, by kind.",
                                {{"server", s}, {"kind", "idle"}})),
      timeout_body(r.GetCounter(kTimeouts, "Connections closed by a deadline, by kind.",
                                {{"server", s}, {"kind", "body"}})),
      timeout_body_rate(r.GetCounter(kTimeouts, "Connections closed by a deadline, by kind.",
                                     {{"server", s}, {"kind", "body_rate"}})),
      timeout_write(r.GetCounter(kTimeouts, "Connections closed by a deadline, by kind.",
                                 {{"server", s}, {"kind", "write"}})),
      timeout_send_rate(r.GetCounter(kTimeouts, "Connections closed by a deadline, by kind.",
                                     {{"server", s}, {"kind", "send_rate"}})),
      bad_header_too_large(r.GetCounter(kBad, "Requests refused by the server, by reason.",
                                        {{"server", s}, {"reason", "header_too_large"}})),
      bad_too_many_headers(r.GetCounter(kBad, "Requests refused by the server, by reason.",
                                        {{"server", s}, {"reason", "too_many_headers"}})),
      bad_body_too_large(r.GetCounter(kBad, "Requests refused by the server, by reason.",
                                      {{"server", s}, {"reason", "body_too_large"}})),
      bad_length_with_encoding(
          r.GetCounter(kBad, "Requests refused by the server, by reason.",
                       {{"server", s}, {"reason", "content_length_with_transfer_encoding"}})),
      bad_duplicate_length(r.GetCounter(kBad, "Requests refused by the server, by reason.",
                                        {{"server", s}, {"reason", "duplicate_content_length"}})),
      bad_framing(r.GetCounter(kBad, "Requests refused by the server, by reason.",
                               {{"server", s}, {"reason", "bad_framing"}})),
      bad_malformed(r.GetCounter(kBad, "Requests refused by the server, by reason.",
                                 {{"server", s}, {"reason", "malformed"}})),
      accept_fd_exhausted(r.GetCounter(kAcceptErrors, "Failed accepts, by reason.",
                                       {{"server", s}, {"reason", "fd_exhausted"}})),
      accept_other(r.GetCounter(kAcceptErrors, "Failed accepts, by reason.",
                                {{"server", s}, {"reason", "other"}})),
      requests(r.GetCounter(kRequests, "Requests handed to the handler.", {{"server", s}})),
      ws_upgrades(r.GetCounter(kWsUpgrades, "WebSocket upgrades accepted by the handler.",
                               {{"server", s}})),
      ws_open(r.GetGauge(kWsOpen, "Open WebSocket connections (handshake done).", {{"server", s}})),
      ws_messages_in(
          r.GetCounter(kWsIn, "WebSocket text messages received and delivered.", {{"server", s}})),
      ws_messages_out(r.GetCounter(kWsOut, "WebSocket frames written.", {{"server", s}})),
      ws_queued_bytes(r.GetGauge(kWsQueued, "WebSocket outbound bytes queued, not yet written.",
                                 {{"server", s}})),
      ws_close_normal(
          r.GetCounter(kWsCloses, kWsClosesHelp, {{"server", s}, {"reason", "normal"}})),
      ws_close_too_big(
          r.GetCounter(kWsCloses, kWsClosesHelp, {{"server", s}, {"reason", "too_big"}})),
      ws_close_rate(r.GetCounter(kWsCloses, kWsClosesHelp, {{"server", s}, {"reason", "rate"}})),
      ws_close_slow_consumer(
          r.GetCounter(kWsCloses, kWsClosesHelp, {{"server", s}, {"reason", "slow_consumer"}})),
      ws_close_timeout(
          r.GetCounter(kWsCloses, kWsClosesHelp, {{"server", s}, {"reason", "timeout"}})),
      ws_close_protocol(
          r.GetCounter(kWsCloses, kWsClosesHelp, {{"server", s}, {"reason", "protocol"}})),
      ws_close_error(r.GetCounter(kWsCloses, kWsClosesHelp, {{"server", s}, {"reason", "error"}})) {
}

}  // namespace homeroom::net
