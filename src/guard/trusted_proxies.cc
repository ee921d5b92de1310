#include "guard/trusted_proxies.h"

#include <boost/algorithm/string/trim.hpp>
#include <boost/asio/ip/address.hpp>
#include <optional>

namespace homeroom::guard {

namespace {

namespace asio = boost::asio;

std::optional<asio::ip::address> ParseHop(std::string_view text) {
  std::string_view trimmed = boost::algorithm::trim_copy(text);
  if (trimmed.size() > 2 && trimmed.front() == '[' && trimmed.back() == ']') {
    trimmed = trimmed.substr(1, trimmed.size() - 2);
  }
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(trimmed, ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::span<const std::string> entries) {
  std::vector<Cidr> ranges;
  for (const std::string& entry : entries) {
    Result<Cidr> range = Cidr::Parse(entry);
    if (!range.ok()) return Status::InvalidArgument("trusted proxy: " + range.status().message());
    ranges.push_back(*range);
  }
  return TrustedProxies(std::move(ranges));
}

bool TrustedProxies::Trusts(const asio::ip::address& address) const {
  for (const Cidr& range : ranges_) {
    if (range.Contains(address)) return true;
  }
  return false;
}

asio::ip::address TrustedProxies::ClientOf(const asio::ip::address& peer,
                                           std::span<const std::string_view> forwarded_for) const {
  if (ranges_.empty() || !Trusts(peer)) return peer;
  asio::ip::address client = peer;
  for (auto header = forwarded_for.rbegin(); header != forwarded_for.rend(); ++header) {
    std::string_view list = *header;
    while (!list.empty()) {
      const size_t comma = list.rfind(',');
      const std::string_view hop = comma == std::string_view::npos ? list : list.substr(comma + 1);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(0, comma);
      std::optional<asio::ip::address> address = ParseHop(hop);
      if (!address) return client;  // nothing left of here was written by a trusted hop
      client = *address;
      if (!Trusts(client)) return client;
    }
  }
  return client;  // every hop was a trusted proxy: the leftmost is as far as the list goes
}

}  // namespace homeroom::guard
