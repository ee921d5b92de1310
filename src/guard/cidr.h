#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace homeroom::guard {

// A network prefix ("127.1.2.0/24", "2001:db8::/64", "127.1.2.3/32"): the one type the guard uses
// both for the sources it counts and for the ranges operators block or allow.
//
// IPv4 is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d), so one representation serves both families and
// an IPv4 client reaching a dual-stack socket is the same source as on an IPv4 socket. Bits past
// the prefix are always zero, so two Cidrs naming the same network compare equal and hash alike.
//
// The accounting keys of threats.md: a client is its host key (/32 IPv4, /64 IPv6: one household
// or one device's privacy addresses) and belongs to a subnet key (/24 IPv4, /48 IPv6: one site or
// one provider's customer block) for aggregate limits.
//
// A plain value: copy it freely; thread-compatible.
class Cidr {
 public:
  // The zero-length IPv6 prefix "::/0" (matches every IPv6 and IPv4 address).
  Cidr() = default;

  // "a.b.c.d", "a.b.c.d/n" (n <= 32), "x::y", "x::y/n" (n <= 128). A bare address is a host (/32
  // or /128). Bits set past the prefix are an error ("10.1.2.3/24" is refused: say 10.1.2.0/24),
  // because an operator who typed them most likely meant something else. kInvalidArgument says why.
  static Result<Cidr> Parse(std::string_view text);
  // `address` truncated to `prefix_length` bits of its own family (IPv4 counts 0..32).
  static Cidr FromAddress(const boost::asio::ip::address& address, int prefix_length);

  // True when `address` (either family; IPv4-mapped IPv6 counts as IPv4) is inside this prefix.
  bool Contains(const boost::asio::ip::address& address) const;
  // True when `other` lies entirely inside this prefix.
  bool Contains(const Cidr& other) const;

  bool is_v4() const;
  // Prefix length in the address's own family: 0..32 for IPv4, 0..128 for IPv6.
  int prefix_length() const;
  // "127.1.2.0/24", "2001:db8::/64"; a host is printed with its length too ("127.1.2.3/32").
  std::string ToString() const;
  // The network address alone ("127.1.2.0").
  std::string NetworkString() const;

  friend bool operator==(const Cidr&, const Cidr&) = default;

  struct Hash {
    size_t operator()(const Cidr& cidr) const;
  };

 private:
  std::array<uint8_t, 16> bytes_{};  // IPv6 or IPv4-mapped, zero past length_
  uint8_t length_ = 0;               // over all 128 bits (IPv4 /24 is 120)
};

// Host prefix lengths and subnet prefix lengths of the accounting keys (threats.md).
inline constexpr int kHostPrefixV4 = 32;
inline constexpr int kHostPrefixV6 = 64;
inline constexpr int kSubnetPrefixV4 = 24;
inline constexpr int kSubnetPrefixV6 = 48;

// The host key of a client address: /32 for IPv4 (or IPv4-mapped), /64 for IPv6.
Cidr HostKey(const boost::asio::ip::address& address);
// The subnet key of a client address: /24 for IPv4 (or IPv4-mapped), /48 for IPv6.
Cidr SubnetKey(const boost::asio::ip::address& address);

}  // namespace homeroom::guard
