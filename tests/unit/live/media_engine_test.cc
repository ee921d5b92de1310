// CountSentMedia: what a publisher's SDP offer sends, on which the floor rules are decided.
#include "live/media_engine.h"

#include <gtest/gtest.h>

namespace homeroom::live {
namespace {

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

}  // namespace
}  // namespace homeroom::live
