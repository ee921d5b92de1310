#pragma once

#include <string>

#include "core/metrics.h"

namespace homeroom::net {

// Every metric of one Server, declared in this one list and labelled {server="<name>"}. Looked up
// once at construction; the references stay valid for the registry's life. Thread-safe (the
// metrics themselves are atomic).
//
//   homeroom_net_open_connections{server}                  gauge
//   homeroom_net_connections_accepted_total{server}
//   homeroom_net_connections_refused_total{server,reason}  global_cap | per_ip_cap |
//                                                          per_subnet_cap | blocked |
//                                                          shutting_down
//   homeroom_net_connections_evicted_total{server}         idle unauthenticated connections
//                                                          closed to make room at the global cap
//   homeroom_net_idle_timeout_shortened{server}            gauge: 1 under connection pressure
//                                                          (idle_timeout_under_pressure applies)
//   homeroom_net_timeouts_total{server,kind}               head | idle | body | body_rate |
//                                                          write | send_rate
//   homeroom_net_bad_requests_total{server,reason}         see BadRequest below
//   homeroom_net_accept_errors_total{server,reason}        fd_exhausted | other
//   homeroom_net_requests_total{server}                    requests handed to the handler
//   homeroom_net_ws_upgrades_total{server}                 upgrades the handler accepted
//   homeroom_net_ws_open{server}                           gauge: WebSockets past the handshake
//   homeroom_net_ws_messages_in_total{server}              text messages handed to OnText
//   homeroom_net_ws_messages_out_total{server}             frames written
//   homeroom_net_ws_closes_total{server,reason}            see WebSocket closes below
//   homeroom_net_ws_queued_bytes{server}                   gauge: outbound bytes not yet written
struct NetMetrics {
  NetMetrics(metrics::Registry& registry, const std::string& server);

  metrics::Gauge& open_connections;
  metrics::Counter& accepted;
  metrics::Counter& refused_global_cap;
  metrics::Counter& refused_per_ip_cap;
  metrics::Counter& refused_shutting_down;
  metrics::Counter& refused_per_subnet_cap;
  metrics::Counter& refused_blocked;  // guard::ConnectionGate::AllowConnection() said no
  metrics::Counter& evicted;
  metrics::Gauge& idle_timeout_shortened;
  metrics::Counter& timeout_head;
  metrics::Counter& timeout_idle;
  metrics::Counter& timeout_body;              // body_timeout passed
  metrics::Counter& timeout_body_rate;         // the body fell behind min_body_bytes_per_second
  metrics::Counter& timeout_write;             // write_timeout passed
  metrics::Counter& timeout_send_rate;         // the reader fell behind min_send_bytes_per_second
  metrics::Counter& bad_header_too_large;      // 431: head over max_header_bytes
  metrics::Counter& bad_too_many_headers;      // 431: over max_header_count fields
  metrics::Counter& bad_body_too_large;        // 413: body over the handler's limit
  metrics::Counter& bad_length_with_encoding;  // 400: Content-Length and Transfer-Encoding
  metrics::Counter& bad_duplicate_length;      // 400: repeated or conflicting Content-Length
  metrics::Counter& bad_framing;               // 400: invalid Content-Length / Transfer-Encoding
  metrics::Counter& bad_malformed;             // 400: anything else the parser refused
  metrics::Counter& accept_fd_exhausted;
  metrics::Counter& accept_other;
  metrics::Counter& requests;

  metrics::Counter& ws_upgrades;
  metrics::Gauge& ws_open;
  metrics::Counter& ws_messages_in;
  metrics::Counter& ws_messages_out;
  metrics::Gauge& ws_queued_bytes;
  // WebSocket closes, one per upgraded connection, by reason:
  metrics::Counter& ws_close_normal;         // a close handshake (either side, shutdown included)
  metrics::Counter& ws_close_too_big;        // 1009: a message over max_message_bytes
  metrics::Counter& ws_close_rate;           // 1008: over messages_per_second / message_burst
  metrics::Counter& ws_close_slow_consumer;  // 1008: over max_queued_bytes
  metrics::Counter& ws_close_timeout;        // handshake, ping (idle) or write deadline
  metrics::Counter& ws_close_protocol;       // 1003 binary message, invalid frame or UTF-8
  metrics::Counter& ws_close_error;          // reset, failed handshake, handler exception
};

}  // namespace homeroom::net
