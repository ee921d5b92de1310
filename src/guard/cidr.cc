#include "guard/cidr.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace homeroom::guard {

namespace asio = boost::asio;

namespace {

constexpr int kV4MappedBits = 96;  // ::ffff:0:0/96

std::array<uint8_t, 16> MappedBytes(const asio::ip::address& address) {
  if (address.is_v4()) {
    return asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4()).to_bytes();
  }
  return address.to_v6().to_bytes();
}

bool IsMapped(const std::array<uint8_t, 16>& bytes) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), kPrefix, sizeof(kPrefix)) == 0;
}

// Clears every bit at or past `length`.
void Truncate(std::array<uint8_t, 16>& bytes, int length) {
  for (int i = 0; i < 16; ++i) {
    const int keep = std::clamp(length - i * 8, 0, 8);
    bytes[i] &= static_cast<uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
}

bool PrefixMatches(const std::array<uint8_t, 16>& network, const std::array<uint8_t, 16>& bytes,
                   int length) {
  std::array<uint8_t, 16> truncated = bytes;
  Truncate(truncated, length);
  return truncated == network;
}

}  // namespace

Result<Cidr> Cidr::Parse(std::string_view text) {
  const auto slash = text.find('/');
  const std::string address_text(text.substr(0, slash));
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(address_text, ec);
  if (ec) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not an IP address or CIDR range");
  }
  const bool v4 = address.is_v4() || (address.is_v6() && address.to_v6().is_v4_mapped());
  const int family_bits = v4 ? 32 : 128;
  int length = family_bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (err != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
        length < 0 || length > family_bits) {
      return Status::InvalidArgument("'" + std::string(text) + "': prefix length must be 0.." +
                                     std::to_string(family_bits));
    }
  }
  Cidr cidr = FromAddress(address, length);
  if (MappedBytes(address) != cidr.bytes_) {
    return Status::InvalidArgument("'" + std::string(text) + "' has bits set past the prefix; " +
                                   "the network is " + cidr.ToString());
  }
  return cidr;
}

Cidr Cidr::FromAddress(const asio::ip::address& address, int prefix_length) {
  Cidr cidr;
  cidr.bytes_ = MappedBytes(address);
  const bool v4 = IsMapped(cidr.bytes_);
  const int length =
      v4 ? kV4MappedBits + std::clamp(prefix_length, 0, 32) : std::clamp(prefix_length, 0, 128);
  cidr.length_ = static_cast<uint8_t>(length);
  Truncate(cidr.bytes_, length);
  return cidr;
}

bool Cidr::Contains(const asio::ip::address& address) const {
  return PrefixMatches(bytes_, MappedBytes(address), length_);
}

bool Cidr::Contains(const Cidr& other) const {
  return other.length_ >= length_ && PrefixMatches(bytes_, other.bytes_, length_);
}

bool Cidr::is_v4() const { return length_ >= kV4MappedBits && IsMapped(bytes_); }

int Cidr::prefix_length() const { return is_v4() ? length_ - kV4MappedBits : length_; }

std::string Cidr::NetworkString() const {
  const asio::ip::address_v6 v6(bytes_);
  if (is_v4()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  return v6.to_string();
}

std::string Cidr::ToString() const {
  return NetworkString() + "/" + std::to_string(prefix_length());
}

size_t Cidr::Hash::operator()(const Cidr& cidr) const {
  // FNV-1a over the 17 significant bytes: cheap, and the inputs are not attacker-chosen keys of a
  // hash-flooding concern beyond what the per-table caps of the guard already bound.
  uint64_t h = 1469598103934665603ull;
  for (uint8_t b : cidr.bytes_) h = (h ^ b) * 1099511628211ull;
  h = (h ^ cidr.length_) * 1099511628211ull;
  return static_cast<size_t>(h);
}

Cidr HostKey(const asio::ip::address& address) {
  const bool v4 = address.is_v4() || address.to_v6().is_v4_mapped();
  return Cidr::FromAddress(address, v4 ? kHostPrefixV4 : kHostPrefixV6);
}

Cidr SubnetKey(const asio::ip::address& address) {
  const bool v4 = address.is_v4() || address.to_v6().is_v4_mapped();
  return Cidr::FromAddress(address, v4 ? kSubnetPrefixV4 : kSubnetPrefixV6);
}

}  // namespace homeroom::guard
