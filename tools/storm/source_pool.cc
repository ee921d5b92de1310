#include "storm/source_pool.h"

namespace homeroom::storm {

boost::asio::ip::address_v4 SourceBlock::At(size_t index) const {
  index %= size();
  const uint32_t subnet = static_cast<uint32_t>(index / 254);
  const uint32_t host = 1 + static_cast<uint32_t>(index % 254);
  const uint32_t second = second_octet_ + subnet / 256;
  const uint32_t third = subnet % 256;
  return boost::asio::ip::address_v4((127u << 24) | (second << 16) | (third << 8) | host);
}

boost::asio::ip::address_v4 SourceBlock::SubnetOf(size_t index) const {
  return boost::asio::ip::address_v4(At(index).to_uint() & 0xFFFFFF00u);
}

}  // namespace homeroom::storm
