// CountSentMedia: what a publisher's SDP offer sends, on which the floor rules are decided;
// ChooseStreams: what `media.subscribe` may ask for (whole feeds, or streams by mid).
#include "live/media_engine.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace homeroom::live {
namespace {

namespace json = boost::json;

TEST(CountSentMedia, CountsSendingAudioAndVideoSections) {
  auto sent = CountSentMedia(
      "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n");
  EXPECT_EQ(sent.audio, 1);
  EXPECT_EQ(sent.video, 2);
}

TEST(CountSentMedia, IgnoresDisabledReceiveOnlyAndInactiveSections) {
  auto sent = CountSentMedia(
      "v=0\nm=audio 0 UDP/TLS/RTP/SAVPF 111\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=recvonly\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\na=inactive\nm=application 9 UDP/DTLS/SCTP "
      "webrtc-datachannel\n");
  EXPECT_EQ(sent.audio, 0);
  EXPECT_EQ(sent.video, 0);
}

TEST(CountSentMedia, MalformedTextCountsNothing) {
  EXPECT_EQ(CountSentMedia("").audio, 0);
  EXPECT_EQ(CountSentMedia("m=").video, 0);
  EXPECT_EQ(CountSentMedia("m=video").video, 0);
  EXPECT_EQ(CountSentMedia("a=sendonly\nm=audio 9").audio, 1);
}

TEST(CountSentMedia, NamesEachSendingStreamByMidAudioThenCameraThenScreen) {
  auto sent = CountSentMedia(
      "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=sendonly\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\na=mid:2\r\n");
  std::vector<SentStream> want = {{"0", "audio"}, {"1", "camera"}, {"2", "screen"}};
  EXPECT_EQ(sent.streams, want);
}

TEST(CountSentMedia, NamesOnlySendingStreamsAndAStudentsOnlyVideoIsTheCamera) {
  // The microphone section is off (port 0); the one video is a camera.
  auto sent = CountSentMedia(
      "v=0\nm=audio 0 UDP/TLS/RTP/SAVPF 111\na=mid:0\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:1\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:2\na=recvonly\n");
  std::vector<SentStream> want = {{"1", "camera"}};
  EXPECT_EQ(sent.streams, want);
}

// A teacher sending microphone, camera and screen (feed 7) and a student sending a microphone
// (feed 9).
std::map<int64_t, SentMedia> Feeds() {
  std::map<int64_t, SentMedia> feeds;
  feeds[7] = SentMedia{1, 2, {{"0", "audio"}, {"1", "camera"}, {"2", "screen"}}};
  feeds[9] = SentMedia{1, 0, {{"0", "audio"}}};
  return feeds;
}

Result<std::vector<StreamChoice>> Choose(std::string_view args) {
  return ChooseStreams(json::parse(args).as_object(), Feeds());
}

TEST(ChooseStreams, WithoutAListChoosesEveryFeedWhole) {
  auto chosen = Choose("{}");
  ASSERT_TRUE(chosen.ok()) << chosen.status().message();
  std::vector<StreamChoice> want = {{7, ""}, {9, ""}};
  EXPECT_EQ(*chosen, want);
}

TEST(ChooseStreams, FeedsChoosesThoseFeedsWholeOnce) {
  auto chosen = Choose(R"({"feeds":[9,9]})");
  ASSERT_TRUE(chosen.ok()) << chosen.status().message();
  std::vector<StreamChoice> want = {{9, ""}};
  EXPECT_EQ(*chosen, want);
}

TEST(ChooseStreams, StreamsChoosesTheTeachersAudioAndScreenWithoutTheCamera) {
  auto chosen =
      Choose(R"({"streams":[{"feed":7,"mid":"2"},{"feed":7,"mid":"0"},{"feed":7,"mid":"0"}]})");
  ASSERT_TRUE(chosen.ok()) << chosen.status().message();
  std::vector<StreamChoice> want = {{7, "0"}, {7, "2"}};
  EXPECT_EQ(*chosen, want);
}

TEST(ChooseStreams, AFeedOrMidThatIsNotSentIsNotFound) {
  EXPECT_EQ(Choose(R"({"feeds":[8]})").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Choose(R"({"streams":[{"feed":8,"mid":"0"}]})").status().code(), StatusCode::kNotFound);
  // The student's feed sends audio only: no mid 1.
  EXPECT_EQ(Choose(R"({"streams":[{"feed":9,"mid":"1"}]})").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ChooseStreams(json::object(), {}).status().code(), StatusCode::kNotFound);
}

TEST(ChooseStreams, MalformedListsAreInvalidArguments) {
  for (const char* args :
       {R"({"feeds":[7],"streams":[{"feed":7,"mid":"0"}]})", R"({"feeds":7})", R"({"feeds":[]})",
        R"({"feeds":["7"]})", R"({"streams":{}})", R"({"streams":[]})", R"({"streams":[7]})",
        R"({"streams":[{"feed":7}]})", R"({"streams":[{"feed":7,"mid":0}]})",
        R"({"streams":[{"feed":7,"mid":""}]})", R"({"streams":[{"feed":"7","mid":"0"}]})",
        R"({"streams":[{"feed":7,"mid":"0","kind":"audio"}]})"}) {
    EXPECT_EQ(Choose(args).status().code(), StatusCode::kInvalidArgument) << args;
  }
}

}  // namespace
}  // namespace homeroom::live
