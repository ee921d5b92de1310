#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>

namespace homeroom::storm {

// Source addresses for client sockets. Every socket binds its own address in 127.0.0.0/8 (Linux
// answers on the whole range), so the server sees as many clients as the storm simulates, and each
// address has its own ephemeral port range. The range is cut into disjoint blocks so that the
// server's per-source view keeps roles apart:
//
//   127.15.0.0/16          the operator (setup, the admin status probe)
//   127.16.0.0-127.31.x.x  legitimate users, one address each
//   127.64.0.0-127.127.x.x attacks: kind k (0..15) owns 127.(64+4k).0.0/14
//
// Inside a block, index i is host 1 + i % 254 of the i / 254-th /24 (hosts .0 and .255 are never
// used), so 5,000 sources spread over 20 /24 subnets, as a botnet behind many networks would.
class SourceBlock {
 public:
  // The /24s of a block start at 127.<second_octet>.0.0 and span `octets` second-octet values.
  constexpr SourceBlock(uint8_t second_octet, uint8_t octets)
      : second_octet_(second_octet), octets_(octets) {}

  static SourceBlock Operator() { return SourceBlock(15, 1); }
  static SourceBlock Legit() { return SourceBlock(16, 16); }
  // The block of attack kind `kind_index` (0..15; larger indexes wrap).
  static SourceBlock Attack(int kind_index) {
    return SourceBlock(static_cast<uint8_t>(64 + 4 * (kind_index % 16)), 4);
  }

  // Addresses in the block (254 per /24).
  size_t size() const { return static_cast<size_t>(octets_) * 256 * 254; }
  // The index-th address; indexes past size() wrap around. Thread-safe (no state).
  boost::asio::ip::address_v4 At(size_t index) const;
  // The /24 the index-th address is in, as its first address (for reports).
  boost::asio::ip::address_v4 SubnetOf(size_t index) const;

 private:
  uint8_t second_octet_;
  uint8_t octets_;
};

}  // namespace homeroom::storm
