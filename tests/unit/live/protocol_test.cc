#include "live/protocol.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace homeroom::live {
namespace {

TEST(LiveProtocol, EventsCarryTypeSeqEpochAndFields) {
  boost::json::object fields;
  fields["user_id"] = 4;
  auto frame = EncodeEvent(EventType::kHandRaised, 12, "abc", fields);
  EXPECT_EQ(*frame, R"({"type":"hand.raised","seq":12,"epoch":"abc","user_id":4})");
}

TEST(LiveProtocol, AcksAndErrorsEchoTheCommandId) {
  EXPECT_EQ(*EncodeAck(3, 40), R"({"type":"ack","id":3,"seq":40})");
  EXPECT_EQ(*EncodeAck(3, std::nullopt), R"({"type":"ack","id":3})");
  EXPECT_EQ(
      *EncodeError(std::nullopt, ErrorCode::kRateLimited, "slow down", 250),
      R"({"type":"error","id":null,"code":"rate_limited","message":"slow down","retry_after_ms":250})");
}

TEST(LiveProtocol, EveryEventAndErrorHasAName) {
  for (size_t i = 0; i < kEventTypeCount; ++i) {
    EXPECT_NE(EventTypeName(static_cast<EventType>(i)), "unknown") << i;
  }
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    EXPECT_NE(ErrorCodeName(static_cast<ErrorCode>(i)), "unknown") << i;
  }
  EXPECT_EQ(EventTypeName(EventType::kRoomEnded), "room.ended");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kReplaced), "replaced");
}

TEST(LiveProtocol, LengthsCountCharactersNotBytes) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("\xC3\xA9t\xC3\xA9"), 3u);  // été
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);   // one emoji
}

}  // namespace
}  // namespace homeroom::live
