#include "storm/target.h"

#include <charconv>

namespace homeroom::storm {

namespace ip = boost::asio::ip;

bool IsLoopback(const ip::address& address) {
  if (address.is_v4()) return (address.to_v4().to_uint() >> 24) == 127;
  if (address.is_v6()) {
    const ip::address_v6 v6 = address.to_v6();
    if (v6.is_v4_mapped()) return IsLoopback(ip::make_address_v4(ip::v4_mapped, v6));
    return v6.is_loopback();
  }
  return false;
}

Result<Target> ParseTarget(std::string_view text) {
  const std::string shown(text);
  std::string_view host, port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument("target '" + shown + "': expected [::1]:PORT");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument("target '" + shown +
                                     "': expected HOST:PORT, e.g. 127.0.0.1:8080");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Status::InvalidArgument("target '" + shown + "': write IPv6 as [::1]:PORT");
    }
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Status::InvalidArgument("target '" + shown + "': the port must be 1..65535");
  }
  std::string host_string(host);
  if (host_string == "localhost") host_string = "127.0.0.1";
  boost::system::error_code parse_error;
  ip::address address = ip::make_address(host_string, parse_error);
  if (parse_error) {
    return Status::InvalidArgument("target '" + shown +
                                   "': the host must be a loopback address (127.0.0.0/8 or ::1), "
                                   "not a name");
  }
  if (!IsLoopback(address)) {
    return Status::InvalidArgument(
        "target '" + shown +
        "' refused: homeroom-storm only sends to this machine (127.0.0.0/8 or [::1])");
  }
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  Target target;
  target.endpoint = ip::tcp::endpoint(address, static_cast<uint16_t>(port));
  target.host_header = address.is_v6() ? "[" + address.to_string() + "]:" + std::to_string(port)
                                       : address.to_string() + ":" + std::to_string(port);
  return target;
}

}  // namespace homeroom::storm
