#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace homeroom::storm {

// Where the storm is sent. Only this machine: an address in 127.0.0.0/8 or [::1] (threats.md,
// "Rules for attack and load tests"); "localhost" means 127.0.0.1.
struct Target {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;  // "127.0.0.1:8080", sent as Host
  bool ipv6() const { return endpoint.address().is_v6(); }
};

// True for 127.0.0.0/8 and ::1.
bool IsLoopback(const boost::asio::ip::address& address);

// Parses "127.0.0.1:8080", "127.4.5.6:80", "localhost:8080" or "[::1]:8080". Returns
// kInvalidArgument with a message that says why for anything else: a missing or zero port, a
// host name, and above all any address outside 127.0.0.0/8 and ::1 (never a target). Thread-safe.
Result<Target> ParseTarget(std::string_view text);

}  // namespace homeroom::storm
