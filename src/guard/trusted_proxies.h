#pragma once

#include <boost/asio/ip/address.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "guard/cidr.h"

namespace homeroom::guard {

// Who a request came from when the server sits behind load balancers or proxies it trusts
// (docs/security.md, "Defenses" > "Behind a proxy"; `homeroom serve --trusted-proxy`).
//
// Behind a proxy every connection comes from the proxy's address, and the proxy names the client
// it served in X-Forwarded-For: each hop appends the address it saw ("client, proxy1, proxy2").
// Only what trusted proxies appended can be believed; everything to its left was written by the
// client and is a spoofing tool. So the client is found by walking the list from the right,
// skipping trusted proxies: the first address that is not one is the client. A connection that
// does not come from a trusted proxy is its own client, whatever headers it sends.
//
// Immutable after construction; thread-safe.
class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts nobody: every connection is its own client
  explicit TrustedProxies(std::vector<Cidr> ranges) : ranges_(std::move(ranges)) {}

  // Parses each entry as a CIDR range or a single address ("10.0.0.0/8", "192.0.2.7",
  // "2001:db8::/32"). kInvalidArgument naming the first bad entry.
  static Result<TrustedProxies> Parse(std::span<const std::string> entries);

  bool empty() const { return ranges_.empty(); }
  bool Trusts(const boost::asio::ip::address& address) const;

  // The client of a request that reached the server from `peer` carrying these X-Forwarded-For
  // header values, in the order received (several headers read as one list). When the peer is
  // not trusted, or the list is empty, the peer. An entry that is not an address (garbage,
  // "unknown", a port) stops the walk: the hop to its right, the last one a trusted proxy vouched
  // for, is the client. Addresses may be written plain or, for IPv6, in brackets.
  boost::asio::ip::address ClientOf(const boost::asio::ip::address& peer,
                                    std::span<const std::string_view> forwarded_for) const;

 private:
  std::vector<Cidr> ranges_;
};

}  // namespace homeroom::guard
