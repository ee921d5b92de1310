#include "live/hub.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <thread>

#include "live/protocol.h"

namespace homeroom::live {
namespace {

namespace json = boost::json;

// A socket that records what the room sends it; `Refuse()` makes it behave like a socket whose
// outbound queue is full, `GoAway()` like one the transport is closing (the peer left).
class RecordingOutbound final : public Outbound {
 public:
  SendResult Send(std::shared_ptr<const std::string> frame) override {
    std::lock_guard lock(mu_);
    if (closed_ || going_away_) return SendResult::kClosed;
    if (refuse_) return SendResult::kQueueFull;
    frames_.push_back(std::move(frame));
    return SendResult::kQueued;
  }
  void Close(uint16_t code, std::string reason) override {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
  }
  void Refuse() {
    std::lock_guard lock(mu_);
    refuse_ = true;
  }
  void GoAway() {
    std::lock_guard lock(mu_);
    going_away_ = true;
  }
  std::vector<json::object> Frames() const {
    std::lock_guard lock(mu_);
    std::vector<json::object> out;
    for (const auto& f : frames_) out.push_back(json::parse(*f).as_object());
    return out;
  }
  std::vector<std::shared_ptr<const std::string>> Raw() const {
    std::lock_guard lock(mu_);
    return frames_;
  }
  std::vector<json::object> OfType(std::string_view type) const {
    std::vector<json::object> out;
    for (auto& f : Frames()) {
      if (f.at("type").as_string() == type) out.push_back(f);
    }
    return out;
  }
  bool Saw(std::string_view type) const { return !OfType(type).empty(); }
  // Every event type received after `seq`, in order.
  std::vector<std::string> EventTypesAfter(int64_t seq) const {
    std::vector<std::string> out;
    for (auto& f : Frames()) {
      if (f.contains("seq") && f.contains("epoch") && f.at("seq").as_int64() > seq) {
        out.emplace_back(f.at("type").as_string());
      }
    }
    return out;
  }
  int64_t LastSeq() const {
    int64_t seq = 0;
    for (auto& f : Frames()) {
      if (f.contains("seq")) seq = std::max(seq, f.at("seq").as_int64());
    }
    return seq;
  }
  json::object Last() const { return Frames().back(); }
  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }
  uint16_t close_code() const {
    std::lock_guard lock(mu_);
    return close_code_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    frames_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const std::string>> frames_;
  bool refuse_ = false;
  bool going_away_ = false;
  bool closed_ = false;
  uint16_t close_code_ = 0;
  std::string close_reason_;
};

class RecordingSink final : public AttendanceSink {
 public:
  struct Call {
    std::string what;
    int64_t user_id;
    int64_t at_ms;
  };
  void Joined(int64_t, int64_t user_id, int64_t at_ms) override {
    std::lock_guard lock(mu_);
    calls_.push_back({"joined", user_id, at_ms});
  }
  void Left(int64_t, int64_t user_id, int64_t at_ms) override {
    std::lock_guard lock(mu_);
    calls_.push_back({"left", user_id, at_ms});
  }
  void Heartbeat(int64_t, const std::vector<int64_t>& user_ids, int64_t at_ms) override {
    std::lock_guard lock(mu_);
    heartbeats_.push_back({user_ids, at_ms});
  }
  std::vector<Call> Calls(std::string_view what) const {
    std::lock_guard lock(mu_);
    std::vector<Call> out;
    for (const auto& c : calls_) {
      if (c.what == what) out.push_back(c);
    }
    return out;
  }
  std::vector<std::pair<std::vector<int64_t>, int64_t>> Heartbeats() const {
    std::lock_guard lock(mu_);
    return heartbeats_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::vector<std::pair<std::vector<int64_t>, int64_t>> heartbeats_;
};

struct Client {
  int64_t user_id = 0;
  std::shared_ptr<RecordingOutbound> out;
  std::shared_ptr<Connection> conn;
  std::string epoch() const {
    return std::string(out->OfType("welcome").back().at("epoch").as_string());
  }
};

constexpr int64_t kSession = 77;
constexpr int64_t kTeacher = 1;

class LiveHubTest : public ::testing::Test {
 protected:
  LiveHubTest() { MakeHub(); }

  void MakeHub() {
    options_.tick_interval_ms = 1;
    hub_ = std::make_unique<Hub>(ioc_.get_executor(), bus_, sink_, clock_, registry_, options_);
    hub_->SetRoomEndedCallback([this](int64_t session_id, const std::string& reason) {
      std::lock_guard lock(ended_mu_);
      ended_.emplace_back(session_id, reason);
    });
  }

  RoomInfo Info() const {
    RoomInfo info;
    info.session_id = kSession;
    info.section_id = 5;
    info.title = "Algebra I";
    info.waiting_room = waiting_room_;
    info.scheduled_end_ms = clock_.NowMs() + 60 * 60'000;
    return info;
  }

  Client Join(int64_t user_id, RoomRole role, std::optional<ResumePoint> resume = std::nullopt) {
    Client c;
    c.user_id = user_id;
    c.out = std::make_shared<RecordingOutbound>();
    Participant who{user_id, "user" + std::to_string(user_id), role};
    c.conn = hub_->Connect(Info(), who, c.out, std::move(resume));
    Drain();
    return c;
  }
  Client Teacher() { return Join(kTeacher, RoomRole::kTeacher); }

  // Sends one command and returns the answer to it (ack or error).
  json::object Cmd(Client& c, std::string text) {
    c.conn->OnText(std::move(text));
    Drain();
    for (auto& f : c.out->Frames()) {
      if (f.at("type") == "ack" || f.at("type") == "error") last_answer_ = f;
    }
    return last_answer_;
  }
  static std::string Code(const json::object& answer) {
    return answer.at("type") == "error" ? std::string(answer.at("code").as_string()) : "ok";
  }

  void Drain() {
    ioc_.restart();
    ioc_.poll();
  }
  // Lets room timers run (ticks every millisecond) after the manual clock moved.
  void Advance(int64_t ms) {
    clock_.Advance(ms);
    ioc_.restart();
    ioc_.run_for(std::chrono::milliseconds(30));
  }
  uint64_t Rejected(std::string code) {
    return registry_.CounterValue("homeroom_live_commands_rejected_total", {{"code", code}});
  }

  boost::asio::io_context ioc_;
  ManualClock clock_;
  InProcessBus bus_;
  RecordingSink sink_;
  metrics::Registry registry_;
  HubOptions options_;
  bool waiting_room_ = false;
  std::mutex ended_mu_;
  std::vector<std::pair<int64_t, std::string>> ended_;
  json::object last_answer_;
  std::unique_ptr<Hub> hub_;  // last: destroyed first, while the io_context is not running
};

TEST_F(LiveHubTest, WelcomeCarriesEpochSeqRoleAndSnapshot) {
  Client t = Teacher();
  auto welcome = t.out->OfType("welcome");
  ASSERT_EQ(welcome.size(), 1u);
  const auto& w = welcome[0];
  EXPECT_EQ(w.at("protocol"), kProtocolVersion);
  EXPECT_EQ(w.at("role"), "teacher");
  EXPECT_EQ(w.at("state"), "in_room");
  EXPECT_EQ(w.at("resume"), "snapshot");
  EXPECT_FALSE(w.at("epoch").as_string().empty());
  EXPECT_EQ(w.at("seq"), 1);  // its own presence.joined
  const auto& snap = w.at("snapshot").as_object();
  EXPECT_EQ(snap.at("room").at("title"), "Algebra I");
  ASSERT_EQ(snap.at("participants").as_array().size(), 1u);
  EXPECT_EQ(snap.at("participants").at(0).at("role"), "teacher");
  EXPECT_EQ(hub_->room_count(), 1u);
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_rooms"), 1);
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_participants"), 1);
}

TEST_F(LiveHubTest, JoinIsAnnouncedToOthersAndRecordedAsAttendance) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  auto joined = t.out->OfType("presence.joined");  // a joiner finds itself in its snapshot
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0].at("participant").at("user_id"), 10);
  EXPECT_EQ(joined[0].at("participant").at("role"), "student");
  EXPECT_EQ(joined[0].at("participant").at("state"), "present");
  auto calls = sink_.Calls("joined");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].user_id, 10);
  EXPECT_EQ(calls[1].at_ms, clock_.NowMs());
  EXPECT_EQ(hub_->FindRoom(kSession)->participants, 2u);
  EXPECT_EQ(hub_->FindRoom(kSession)->sockets, 2u);
}

TEST_F(LiveHubTest, EachEventIsEncodedOnceAndSharedByAllRecipients) {
  Client t = Teacher();
  Client a = Join(10, RoomRole::kStudent);
  Client b = Join(11, RoomRole::kStudent);
  Cmd(a, R"({"id":1,"type":"chat.send","text":"hello"})");
  auto ta = t.out->Raw(), aa = a.out->Raw(), ba = b.out->Raw();
  // The chat frame is the last event each got (a also got its ack after it).
  auto last_event = [](const std::vector<std::shared_ptr<const std::string>>& v) {
    for (auto it = v.rbegin(); it != v.rend(); ++it) {
      if ((*it)->find("chat.message") != std::string::npos) return it->get();
    }
    return static_cast<const std::string*>(nullptr);
  };
  ASSERT_NE(last_event(ta), nullptr);
  EXPECT_EQ(last_event(ta), last_event(aa));
  EXPECT_EQ(last_event(ta), last_event(ba));
  EXPECT_EQ(registry_.CounterValue("homeroom_live_events_total", {{"type", "chat.message"}}), 1u);
}

TEST_F(LiveHubTest, ChatReachesEveryoneAndTheAckCarriesTheMessageSeq) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  auto ack = Cmd(s, R"({"id":9,"type":"chat.send","text":"2+2?"})");
  ASSERT_EQ(ack.at("type"), "ack");
  EXPECT_EQ(ack.at("id"), 9);
  auto msgs = t.out->OfType("chat.message");
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].at("text"), "2+2?");
  EXPECT_EQ(msgs[0].at("from").at("user_id"), 10);
  EXPECT_EQ(msgs[0].at("private"), false);
  EXPECT_EQ(msgs[0].at("message_id"), msgs[0].at("seq"));
  EXPECT_EQ(ack.at("seq"), msgs[0].at("seq"));
  EXPECT_EQ(s.out->OfType("chat.message").size(), 1u);
}

TEST_F(LiveHubTest, ChatTextMustBeNonEmptyAndWithinTheLimit) {
  options_.chat_max_chars = 5;
  MakeHub();
  Client s = Join(10, RoomRole::kStudent);
  EXPECT_EQ(Code(Cmd(s, R"({"id":1,"type":"chat.send","text":"123456"})")), "invalid_argument");
  EXPECT_EQ(Code(Cmd(s, R"({"id":2,"type":"chat.send","text":"  "})")), "invalid_argument");
  EXPECT_EQ(Code(Cmd(s, R"({"id":3,"type":"chat.send"})")), "invalid_argument");
  // Five characters of two bytes each fit.
  EXPECT_EQ(Code(Cmd(s,
                     "{\"id\":4,\"type\":\"chat.send\",\"text\":"
                     "\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\"}")),
            "ok");
  EXPECT_EQ(Rejected("invalid_argument"), 3u);
}

TEST_F(LiveHubTest, ChatOverThePerUserRateIsRateLimitedUntilTheWindowPasses) {
  options_.chat_messages_per_window = 2;
  options_.rate_window_ms = 10'000;
  MakeHub();
  Client s = Join(10, RoomRole::kStudent);
  Client o = Join(11, RoomRole::kStudent);
  EXPECT_EQ(Code(Cmd(s, R"({"id":1,"type":"chat.send","text":"a"})")), "ok");
  EXPECT_EQ(Code(Cmd(s, R"({"id":2,"type":"chat.send","text":"b"})")), "ok");
  auto refused = Cmd(s, R"({"id":3,"type":"chat.send","text":"c"})");
  EXPECT_EQ(Code(refused), "rate_limited");
  EXPECT_EQ(refused.at("retry_after_ms"), 10'000);
  EXPECT_EQ(Code(Cmd(o, R"({"id":1,"type":"chat.send","text":"other user"})")), "ok");
  clock_.Advance(10'001);
  EXPECT_EQ(Code(Cmd(s, R"({"id":4,"type":"chat.send","text":"d"})")), "ok");
  EXPECT_EQ(Rejected("rate_limited"), 1u);
}

TEST_F(LiveHubTest, PrivateMessageIsSeenOnlyByTeachersAndTheSender) {
  Client t = Teacher();
  Client t2 = Join(2, RoomRole::kTeacher);
  Client s = Join(10, RoomRole::kStudent);
  Client other = Join(11, RoomRole::kStudent);
  Client obs = Join(90, RoomRole::kObserver);
  EXPECT_EQ(Code(Cmd(s, R"({"id":1,"type":"chat.send","text":"I need help","private":true})")),
            "ok");
  EXPECT_EQ(t.out->OfType("chat.message").size(), 1u);
  EXPECT_EQ(t2.out->OfType("chat.message").size(), 1u);
  EXPECT_EQ(s.out->OfType("chat.message").size(), 1u);
  EXPECT_EQ(t.out->OfType("chat.message")[0].at("private"), true);
  EXPECT_FALSE(other.out->Saw("chat.message"));
  EXPECT_FALSE(obs.out->Saw("chat.message"));
  // The teacher answers privately; the other student still sees nothing.
  EXPECT_EQ(Code(Cmd(t, R"({"id":1,"type":"chat.send","text":"coming","to":10})")), "ok");
  EXPECT_EQ(s.out->OfType("chat.message").size(), 2u);
  EXPECT_EQ(t2.out->OfType("chat.message").size(), 2u);
  EXPECT_FALSE(other.out->Saw("chat.message"));
  // Students cannot write privately to another student.
  EXPECT_EQ(Code(Cmd(other, R"({"id":2,"type":"chat.send","text":"psst","to":10})")),
            "permission_denied");
  // Nor do private messages show up in another student's snapshot.
  Client late = Join(12, RoomRole::kStudent);
  EXPECT_TRUE(late.out->OfType("welcome")[0].at("snapshot").at("chat").as_array().empty());
  Client late_teacher = Join(3, RoomRole::kTeacher);
  EXPECT_EQ(late_teacher.out->OfType("welcome")[0].at("snapshot").at("chat").as_array().size(), 2u);
}

TEST_F(LiveHubTest, TeacherDeletesAMessageForEveryoneWhoSawIt) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  auto ack = Cmd(s, R"({"id":1,"type":"chat.send","text":"rude"})");
  int64_t id = ack.at("seq").as_int64();
  EXPECT_EQ(
      Code(Cmd(t, R"({"id":2,"type":"chat.delete","message_id":)" + std::to_string(id) + "}")),
      "ok");
  auto deleted = s.out->OfType("chat.deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].at("message_id"), id);
  EXPECT_EQ(Code(Cmd(t, R"({"id":3,"type":"chat.delete","message_id":12345})")), "not_found");
  Client late = Join(11, RoomRole::kStudent);
  EXPECT_TRUE(late.out->OfType("welcome")[0].at("snapshot").at("chat").as_array().empty());
}

TEST_F(LiveHubTest, MutedStudentCannotChatAndMuteAllSilencesPublicChatOnly) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  Client o = Join(11, RoomRole::kStudent);
  EXPECT_EQ(Code(Cmd(t, R"({"id":1,"type":"chat.mute","user_id":10})")), "ok");
  EXPECT_EQ(s.out->OfType("chat.muted").size(), 1u);
  EXPECT_FALSE(o.out->Saw("chat.muted"));  // not announced to the class
  EXPECT_EQ(Code(Cmd(s, R"({"id":1,"type":"chat.send","text":"hi"})")), "muted");
  EXPECT_EQ(Code(Cmd(s, R"({"id":2,"type":"chat.send","text":"hi","private":true})")), "muted");
  EXPECT_EQ(Code(Cmd(t, R"({"id":2,"type":"chat.mute","user_id":10,"muted":false})")), "ok");
  EXPECT_EQ(Code(Cmd(s, R"({"id":3,"type":"chat.send","text":"sorry"})")), "ok");

  EXPECT_EQ(Code(Cmd(t, R"({"id":3,"type":"chat.mute_all","muted":true})")), "ok");
  EXPECT_TRUE(o.out->Saw("chat.muted_all"));
  EXPECT_EQ(Code(Cmd(o, R"({"id":1,"type":"chat.send","text":"hi"})")), "muted");
  EXPECT_EQ(Code(Cmd(o, R"({"id":2,"type":"chat.send","text":"help","private":true})")), "ok");
  EXPECT_EQ(Code(Cmd(t, R"({"id":4,"type":"chat.send","text":"teachers still talk"})")), "ok");
  EXPECT_EQ(Code(Cmd(t, R"({"id":5,"type":"chat.mute","user_id":1})")), "permission_denied");
  EXPECT_EQ(Rejected("muted"), 3u);
}

TEST_F(LiveHubTest, HandsQueueInOrderAndTheTeacherLowersOneOrAll) {
  Client t = Teacher();
  Client a = Join(10, RoomRole::kStudent);
  Client b = Join(11, RoomRole::kStudent);
  Client c = Join(12, RoomRole::kStudent);
  Cmd(b, R"({"id":1,"type":"hand.raise"})");
  Cmd(a, R"({"id":1,"type":"hand.raise"})");
  Cmd(c, R"({"id":1,"type":"hand.raise"})");
  EXPECT_EQ(Code(Cmd(a, R"({"id":2,"type":"hand.raise"})")), "ok");  // already up: no event
  auto raised = t.out->OfType("hand.raised");
  ASSERT_EQ(raised.size(), 3u);
  EXPECT_LT(raised[0].at("order").as_int64(), raised[1].at("order").as_int64());
  Client late = Join(3, RoomRole::kTeacher);
  auto hands = late.out->OfType("welcome")[0].at("snapshot").at("hands").as_array();
  EXPECT_EQ(json::serialize(hands), "[11,10,12]");

  EXPECT_EQ(Code(Cmd(a, R"({"id":3,"type":"hand.lower","user_id":11})")), "permission_denied");
  EXPECT_EQ(Code(Cmd(t, R"({"id":1,"type":"hand.lower","user_id":11})")), "ok");
  auto lowered = a.out->OfType("hand.lowered");
  ASSERT_EQ(lowered.size(), 1u);
  EXPECT_EQ(lowered[0].at("user_id"), 11);
  EXPECT_EQ(lowered[0].at("by_user_id"), kTeacher);
  EXPECT_EQ(Code(Cmd(c, R"({"id":2,"type":"hand.lower"})")), "ok");
  EXPECT_EQ(Code(Cmd(t, R"({"id":2,"type":"hand.lower_all"})")), "ok");
  EXPECT_TRUE(b.out->Saw("hand.lowered_all"));
  Client later = Join(4, RoomRole::kTeacher);
  EXPECT_TRUE(later.out->OfType("welcome")[0].at("snapshot").at("hands").as_array().empty());
}

TEST_F(LiveHubTest, PollCountsGoToTeachersLiveAndResultsToEveryoneOnClose) {
  Client t = Teacher();
  Client a = Join(10, RoomRole::kStudent);
  Client b = Join(11, RoomRole::kStudent);
  auto ack = Cmd(t, R"({"id":1,"type":"poll.open","question":"x = ?","options":["1","2","3"]})");
  ASSERT_EQ(Code(ack), "ok");
  auto opened = a.out->OfType("poll.opened");
  ASSERT_EQ(opened.size(), 1u);
  int64_t poll = opened[0].at("poll_id").as_int64();
  EXPECT_FALSE(opened[0].contains("counts"));
  std::string p = std::to_string(poll);
  EXPECT_EQ(Code(Cmd(a, R"({"id":2,"type":"poll.vote","poll_id":)" + p + R"(,"option":1})")), "ok");
  EXPECT_EQ(Code(Cmd(b, R"({"id":2,"type":"poll.vote","poll_id":)" + p + R"(,"option":1})")), "ok");
  EXPECT_EQ(Code(Cmd(b, R"({"id":3,"type":"poll.vote","poll_id":)" + p + R"(,"option":2})")), "ok");
  EXPECT_EQ(Code(Cmd(b, R"({"id":4,"type":"poll.vote","poll_id":)" + p + R"(,"option":7})")),
            "invalid_argument");
  auto counts = t.out->OfType("poll.counts");
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(json::serialize(counts.back().at("counts")), "[0,1,1]");
  EXPECT_FALSE(a.out->Saw("poll.counts"));
  EXPECT_FALSE(b.out->Saw("poll.counts"));
  EXPECT_EQ(Code(Cmd(t, R"({"id":2,"type":"poll.vote","poll_id":)" + p + R"(,"option":1})")),
            "permission_denied");

  EXPECT_EQ(Code(Cmd(t, R"({"id":3,"type":"poll.close","poll_id":)" + p + "}")), "ok");
  auto closed = a.out->OfType("poll.closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(json::serialize(closed[0].at("counts")), "[0,1,1]");
  EXPECT_EQ(closed[0].at("total"), 2);
  EXPECT_EQ(Code(Cmd(a, R"({"id":5,"type":"poll.vote","poll_id":)" + p + R"(,"option":0})")),
            "conflict");
  EXPECT_EQ(Code(Cmd(t, R"({"id":4,"type":"poll.close","poll_id":)" + p + "}")), "conflict");
  EXPECT_EQ(Code(Cmd(t, R"({"id":5,"type":"poll.close","poll_id":999})")), "not_found");
  EXPECT_EQ(Code(Cmd(t, R"({"id":6,"type":"poll.open","question":"?","options":["only one"]})")),
            "invalid_argument");
}

TEST_F(LiveHubTest, EveryTeacherCommandIsRefusedForAStudent) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  Client o = Join(11, RoomRole::kStudent);
  const std::vector<std::string> commands = {
      R"({"id":1,"type":"chat.delete","message_id":1})",
      R"({"id":1,"type":"chat.mute","user_id":11})",
      R"({"id":1,"type":"chat.mute_all","muted":true})",
      R"({"id":1,"type":"hand.lower_all"})",
      R"({"id":1,"type":"poll.open","question":"q","options":["a","b"]})",
      R"({"id":1,"type":"poll.close","poll_id":1})",
      R"({"id":1,"type":"room.lock","locked":true})",
      R"({"id":1,"type":"room.waiting_room","enabled":true})",
      R"({"id":1,"type":"waiting.admit","user_id":11})",
      R"({"id":1,"type":"waiting.deny","user_id":11})",
      R"({"id":1,"type":"participant.remove","user_id":11})",
      R"({"id":1,"type":"room.end"})",
  };
  int64_t seq_before = t.out->LastSeq();
  for (const auto& c : commands) EXPECT_EQ(Code(Cmd(s, c)), "permission_denied") << c;
  EXPECT_EQ(t.out->LastSeq(), seq_before);  // nothing happened
  EXPECT_FALSE(o.out->closed());
  EXPECT_EQ(Rejected("permission_denied"), commands.size());
}

TEST_F(LiveHubTest, ObserversAreReadOnlyExceptTheirOwnPresence) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  Client obs = Join(90, RoomRole::kObserver);
  EXPECT_EQ(obs.out->OfType("welcome")[0].at("role"), "observer");
  EXPECT_EQ(Code(Cmd(obs, R"({"id":1,"type":"chat.send","text":"hi"})")), "permission_denied");
  EXPECT_EQ(Code(Cmd(obs, R"({"id":2,"type":"hand.raise"})")), "permission_denied");
  EXPECT_EQ(Code(Cmd(obs, R"({"id":3,"type":"room.lock","locked":true})")), "permission_denied");
  EXPECT_EQ(Code(Cmd(obs, R"({"id":4,"type":"presence.update","quality":"poor","rtt_ms":420})")),
            "ok");
  // Observers are shown to the teachers, not to the class.
  EXPECT_EQ(t.out->OfType("presence.joined").size(), 2u);
  EXPECT_FALSE(s.out->Saw("presence.joined"));
  EXPECT_TRUE(t.out->Saw("presence.updated"));
  EXPECT_FALSE(s.out->Saw("presence.updated"));
  Client late = Join(12, RoomRole::kStudent);
  EXPECT_EQ(late.out->OfType("welcome")[0].at("snapshot").at("participants").as_array().size(), 3u);
}

TEST_F(LiveHubTest, PresenceUpdatesCarryConnectionQuality) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  EXPECT_EQ(Code(Cmd(s, R"({"id":1,"type":"presence.update","quality":"fair","rtt_ms":180})")),
            "ok");
  auto updated = t.out->OfType("presence.updated");
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0].at("quality"), "fair");
  EXPECT_EQ(updated[0].at("rtt_ms"), 180);
  EXPECT_EQ(Code(Cmd(s, R"({"id":2,"type":"presence.update","quality":"superb"})")),
            "invalid_argument");
  EXPECT_EQ(Code(Cmd(s, R"({"id":3,"type":"presence.update","rtt_ms":-4})")), "invalid_argument");
  Client late = Join(11, RoomRole::kStudent);
  auto parts = late.out->OfType("welcome")[0].at("snapshot").at("participants").as_array();
  auto it = std::find_if(parts.begin(), parts.end(),
                         [](const json::value& p) { return p.at("user_id") == 10; });
  ASSERT_NE(it, parts.end());
  EXPECT_EQ(it->at("quality"), "fair");
}

TEST_F(LiveHubTest, MalformedUnknownAndMediaCommandsGetTypedErrors) {
  Client s = Join(10, RoomRole::kStudent);
  auto bad = Cmd(s, "not json");
  EXPECT_EQ(Code(bad), "invalid_argument");
  EXPECT_TRUE(bad.at("id").is_null());
  EXPECT_EQ(Code(Cmd(s, R"({"type":"hand.raise"})")), "invalid_argument");
  auto unknown = Cmd(s, R"({"id":5,"type":"dance"})");
  EXPECT_EQ(Code(unknown), "unsupported");
  EXPECT_EQ(unknown.at("id"), 5);
  EXPECT_EQ(Code(Cmd(s, R"({"id":6,"type":"media.offer","sdp":"v=0"})")), "unsupported");
  EXPECT_FALSE(s.out->closed());
}

TEST_F(LiveHubTest, ResumeWithinGraceReplaysExactlyTheMissedEvents) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  Client o = Join(11, RoomRole::kStudent);
  Cmd(o, R"({"id":1,"type":"chat.send","text":"before"})");
  int64_t last_seq = s.out->LastSeq();
  std::string epoch = s.epoch();
  s.conn->OnClose();
  Drain();
  EXPECT_EQ(t.out->OfType("presence.reconnecting").size(), 1u);
  // Missed while away: one public message, one private one it must not see, a poll.
  Cmd(o, R"({"id":2,"type":"chat.send","text":"while away"})");
  Cmd(o, R"({"id":3,"type":"chat.send","text":"secret","private":true})");
  Cmd(t, R"({"id":1,"type":"poll.open","question":"q","options":["a","b"]})");
  clock_.Advance(options_.reconnect_grace_ms - 1000);

  Client back = Join(10, RoomRole::kStudent, ResumePoint{epoch, last_seq});
  auto frames = back.out->Frames();
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames[0].at("type"), "welcome");
  EXPECT_EQ(frames[0].at("resume"), "replay");
  EXPECT_EQ(frames[0].at("from_seq"), last_seq);
  EXPECT_FALSE(frames[0].contains("snapshot"));
  std::vector<std::string> types;
  int64_t prev = last_seq;
  for (size_t i = 1; i < frames.size(); ++i) {
    int64_t seq = frames[i].at("seq").as_int64();
    EXPECT_GT(seq, prev);  // no duplicate, in order
    prev = seq;
    types.emplace_back(frames[i].at("type").as_string());
  }
  EXPECT_EQ(types, (std::vector<std::string>{"presence.reconnecting", "chat.message", "poll.opened",
                                             "presence.resumed"}));
  EXPECT_EQ(prev, frames[0].at("seq").as_int64());  // up to date: nothing left out
  // The others saw "reconnecting" then "resumed", never a leave and a join.
  EXPECT_EQ(t.out->OfType("presence.resumed").size(), 1u);
  EXPECT_FALSE(t.out->Saw("presence.left"));
  EXPECT_EQ(t.out->OfType("presence.joined").size(), 2u);
  EXPECT_TRUE(sink_.Calls("left").empty());
  EXPECT_EQ(sink_.Calls("joined").size(), 3u);
  EXPECT_EQ(registry_.CounterValue("homeroom_live_resumes_total", {{"kind", "replay"}}), 1u);
  // Live events continue after the replay.
  Cmd(o, R"({"id":4,"type":"chat.send","text":"after"})");
  EXPECT_EQ(back.out->OfType("chat.message").back().at("text"), "after");
}

TEST_F(LiveHubTest, ResumeTooFarBehindGetsAFreshSnapshot) {
  options_.history_events = 4;
  MakeHub();
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  int64_t last_seq = s.out->LastSeq();
  std::string epoch = s.epoch();
  s.conn->OnClose();
  Drain();
  for (int i = 0; i < 5; ++i) {
    Cmd(t, R"({"id":)" + std::to_string(i) + R"(,"type":"chat.send","text":"m"})");
  }
  Client back = Join(10, RoomRole::kStudent, ResumePoint{epoch, last_seq});
  auto frames = back.out->Frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].at("resume"), "snapshot");
  EXPECT_EQ(frames[0].at("snapshot").at("chat").as_array().size(), 5u);
  EXPECT_EQ(registry_.CounterValue("homeroom_live_resumes_total", {{"kind", "snapshot"}}), 1u);
}

TEST_F(LiveHubTest, ResumeWithAnotherEpochOrAFutureSeqGetsASnapshot) {
  Client t = Teacher();
  Client a = Join(10, RoomRole::kStudent, ResumePoint{"0000000000000000", 1});
  EXPECT_EQ(a.out->Frames()[0].at("resume"), "snapshot");
  Client b = Join(11, RoomRole::kStudent, ResumePoint{t.epoch(), 1'000'000});
  EXPECT_EQ(b.out->Frames()[0].at("resume"), "snapshot");
  EXPECT_EQ(registry_.CounterValue("homeroom_live_resumes_total", {{"kind", "snapshot"}}), 2u);
}

TEST_F(LiveHubTest, ASocketThatRefusesFramesIsDroppedWhileOthersKeepReceiving) {
  Client t = Teacher();
  Client slow = Join(10, RoomRole::kStudent);
  Client fine = Join(11, RoomRole::kStudent);
  slow.out->Refuse();
  Cmd(t, R"({"id":1,"type":"chat.send","text":"one"})");
  EXPECT_TRUE(slow.out->closed());
  EXPECT_EQ(slow.out->close_code(), 1008);
  EXPECT_EQ(registry_.CounterValue("homeroom_live_dropped_slow_consumers_total"), 1u);
  // The dropped student is "reconnecting" for the others, who keep receiving.
  EXPECT_EQ(fine.out->OfType("presence.reconnecting").size(), 1u);
  Cmd(t, R"({"id":2,"type":"chat.send","text":"two"})");
  EXPECT_EQ(fine.out->OfType("chat.message").size(), 2u);
  EXPECT_EQ(hub_->FindRoom(kSession)->sockets, 2u);
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_sockets"), 2);
}

TEST_F(LiveHubTest, ASocketThatIsClosingIsDetachedWithoutCountingASlowConsumer) {
  Client t = Teacher();
  Client leaving = Join(10, RoomRole::kStudent);
  Client fine = Join(11, RoomRole::kStudent);
  leaving.out->GoAway();
  Cmd(t, R"({"id":1,"type":"chat.send","text":"one"})");
  // A socket on its way out refuses frames, but it is not slow: no 1008, no slow-consumer count.
  EXPECT_FALSE(leaving.out->closed());
  EXPECT_EQ(registry_.CounterValue("homeroom_live_dropped_slow_consumers_total"), 0u);
  EXPECT_EQ(fine.out->OfType("presence.reconnecting").size(), 1u);
  EXPECT_EQ(hub_->FindRoom(kSession)->sockets, 2u);
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_sockets"), 2);
}

TEST_F(LiveHubTest, GraceExpiryEmitsLeftAndClosesAttendanceAtTheDisconnect) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  s.conn->OnClose();
  Drain();
  int64_t gone_at = clock_.NowMs();
  Advance(options_.reconnect_grace_ms - 100);
  EXPECT_FALSE(t.out->Saw("presence.left"));
  EXPECT_TRUE(sink_.Calls("left").empty());
  Advance(200);
  auto left = t.out->OfType("presence.left");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("user_id"), 10);
  EXPECT_EQ(left[0].at("reason"), "left");
  auto calls = sink_.Calls("left");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].user_id, 10);
  EXPECT_EQ(calls[0].at_ms, gone_at);
  // Coming back later is a new join (new attendance interval).
  Client back = Join(10, RoomRole::kStudent);
  EXPECT_EQ(t.out->OfType("presence.joined").size(), 2u);
  EXPECT_EQ(sink_.Calls("joined").size(), 3u);
}

TEST_F(LiveHubTest, ASecondSocketKeepsTheUserPresentAndTheOldestIsReplacedOverTheLimit) {
  options_.max_sockets_per_user = 2;
  MakeHub();
  Client t = Teacher();
  Client s1 = Join(10, RoomRole::kStudent);
  Client s2 = Join(10, RoomRole::kStudent);
  EXPECT_EQ(t.out->OfType("presence.joined").size(), 1u);  // one join for two sockets
  s1.conn->OnClose();
  Drain();
  EXPECT_FALSE(t.out->Saw("presence.reconnecting"));
  Client s3 = Join(10, RoomRole::kStudent);
  Client s4 = Join(10, RoomRole::kStudent);
  EXPECT_TRUE(s2.out->closed());
  EXPECT_EQ(s2.out->OfType("error").back().at("code"), "replaced");
  EXPECT_FALSE(s3.out->closed());
  EXPECT_EQ(hub_->FindRoom(kSession)->sockets, 3u);
  EXPECT_EQ(sink_.Calls("joined").size(), 2u);
}

TEST_F(LiveHubTest, WaitingRoomHoldsStudentsUntilTheTeacherAdmitsThem) {
  waiting_room_ = true;
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  auto welcome = s.out->OfType("welcome");
  ASSERT_EQ(welcome.size(), 1u);
  EXPECT_EQ(welcome[0].at("state"), "waiting");
  EXPECT_FALSE(welcome[0].contains("snapshot"));
  EXPECT_EQ(t.out->OfType("waiting.joined").size(), 1u);
  EXPECT_EQ(sink_.Calls("joined").size(), 1u);  // the teacher only
  EXPECT_EQ(Code(Cmd(s, R"({"id":1,"type":"chat.send","text":"let me in"})")), "permission_denied");
  Cmd(t, R"({"id":1,"type":"chat.send","text":"class starts"})");
  EXPECT_FALSE(s.out->Saw("chat.message"));
  EXPECT_EQ(hub_->FindRoom(kSession)->waiting, 1u);

  EXPECT_EQ(Code(Cmd(t, R"({"id":2,"type":"waiting.admit","user_id":10})")), "ok");
  welcome = s.out->OfType("welcome");
  ASSERT_EQ(welcome.size(), 2u);
  EXPECT_EQ(welcome[1].at("state"), "in_room");
  EXPECT_EQ(welcome[1].at("snapshot").at("chat").as_array().size(), 1u);
  EXPECT_EQ(sink_.Calls("joined").size(), 2u);
  EXPECT_EQ(t.out->OfType("waiting.left")[0].at("reason"), "admitted");
  Cmd(t, R"({"id":3,"type":"chat.send","text":"welcome"})");
  EXPECT_EQ(s.out->OfType("chat.message").size(), 1u);
  EXPECT_EQ(Code(Cmd(t, R"({"id":4,"type":"waiting.admit","user_id":10})")), "not_found");
}

TEST_F(LiveHubTest, DeniedStudentIsClosedAndTurningTheWaitingRoomOffAdmitsEveryone) {
  waiting_room_ = true;
  Client t = Teacher();
  Client a = Join(10, RoomRole::kStudent);
  Client b = Join(11, RoomRole::kStudent);
  Client c = Join(12, RoomRole::kStudent);
  EXPECT_EQ(Code(Cmd(t, R"({"id":1,"type":"waiting.deny","user_id":10})")), "ok");
  EXPECT_TRUE(a.out->closed());
  EXPECT_EQ(a.out->close_code(), 1008);
  EXPECT_EQ(a.out->OfType("error").back().at("code"), "denied");
  EXPECT_EQ(Code(Cmd(t, R"({"id":2,"type":"room.waiting_room","enabled":false})")), "ok");
  EXPECT_EQ(b.out->OfType("welcome").back().at("state"), "in_room");
  EXPECT_EQ(c.out->OfType("welcome").back().at("state"), "in_room");
  EXPECT_EQ(hub_->FindRoom(kSession)->participants, 3u);
  EXPECT_EQ(hub_->FindRoom(kSession)->waiting, 0u);
  // With the waiting room back on, admitted students return straight in; new ones wait.
  Cmd(t, R"({"id":3,"type":"room.waiting_room","enabled":true})");
  b.conn->OnClose();
  Drain();
  Advance(options_.reconnect_grace_ms + 10);
  Client b2 = Join(11, RoomRole::kStudent);
  EXPECT_EQ(b2.out->OfType("welcome").back().at("state"), "in_room");
  Client d = Join(13, RoomRole::kStudent);
  EXPECT_EQ(d.out->OfType("welcome").back().at("state"), "waiting");
}

TEST_F(LiveHubTest, LockedRoomRefusesNewStudentsButNotTeachersOrReturningStudents) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  EXPECT_EQ(Code(Cmd(t, R"({"id":1,"type":"room.lock","locked":true})")), "ok");
  EXPECT_TRUE(s.out->Saw("room.locked"));
  Client late = Join(11, RoomRole::kStudent);
  EXPECT_TRUE(late.out->closed());
  EXPECT_EQ(late.out->close_code(), 1008);
  EXPECT_EQ(late.out->Frames()[0].at("code"), "room_locked");
  EXPECT_FALSE(late.out->Saw("welcome"));
  Client t2 = Join(2, RoomRole::kTeacher);
  EXPECT_TRUE(t2.out->Saw("welcome"));
  s.conn->OnClose();
  Drain();
  Advance(options_.reconnect_grace_ms + 10);
  Client back = Join(10, RoomRole::kStudent);
  EXPECT_TRUE(back.out->Saw("welcome"));
  Cmd(t, R"({"id":2,"type":"room.lock","locked":false})");
  Client now_ok = Join(11, RoomRole::kStudent);
  EXPECT_TRUE(now_ok.out->Saw("welcome"));
  EXPECT_EQ(Rejected("room_locked"), 1u);
}

TEST_F(LiveHubTest, RemovedStudentIsDisconnectedAndCannotRejoinTheSession) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  Client s_phone = Join(10, RoomRole::kStudent);
  Client o = Join(11, RoomRole::kStudent);
  EXPECT_EQ(Code(Cmd(t, R"({"id":1,"type":"participant.remove","user_id":10})")), "ok");
  EXPECT_TRUE(s.out->closed());
  EXPECT_TRUE(s_phone.out->closed());
  EXPECT_EQ(s.out->OfType("error").back().at("code"), "removed");
  auto left = o.out->OfType("presence.left");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("reason"), "removed");
  EXPECT_EQ(sink_.Calls("left").size(), 1u);
  Client again = Join(10, RoomRole::kStudent);
  EXPECT_TRUE(again.out->closed());
  EXPECT_EQ(again.out->Frames()[0].at("code"), "removed");
  EXPECT_EQ(Code(Cmd(t, R"({"id":2,"type":"participant.remove","user_id":1})")),
            "permission_denied");
  EXPECT_EQ(Code(Cmd(t, R"({"id":3,"type":"participant.remove","user_id":555})")), "not_found");
}

TEST_F(LiveHubTest, TeacherEndsTheRoomForEveryone) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  s.out->Clear();
  auto ack = Cmd(t, R"({"id":1,"type":"room.end"})");
  EXPECT_EQ(Code(ack), "ok");
  auto ended = s.out->OfType("room.ended");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ack.at("seq"), ended[0].at("seq"));
  EXPECT_TRUE(s.out->closed());
  EXPECT_EQ(s.out->close_code(), 1000);
  EXPECT_TRUE(t.out->closed());
  EXPECT_EQ(sink_.Calls("left").size(), 2u);
  EXPECT_EQ(hub_->room_count(), 0u);
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_rooms"), 0);
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_participants"), 0);
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_sockets"), 0);
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].first, kSession);
  EXPECT_EQ(bus_.subscription_count(), 0u);
  // A late socket is refused; the room is not created again.
  Client late = Join(11, RoomRole::kStudent);
  EXPECT_TRUE(late.out->closed());
  EXPECT_EQ(late.out->Frames()[0].at("code"), "room_ended");
  EXPECT_EQ(hub_->room_count(), 0u);
}

TEST_F(LiveHubTest, EndRoomFromOutsideEndsItAndClosesWaitingSocketsToo) {
  waiting_room_ = true;
  Client t = Teacher();
  Client w = Join(10, RoomRole::kStudent);
  hub_->EndRoom(kSession, "cancelled");
  Drain();
  EXPECT_EQ(t.out->OfType("room.ended")[0].at("reason"), "cancelled");
  EXPECT_TRUE(w.out->Saw("room.ended"));
  EXPECT_TRUE(w.out->closed());
  EXPECT_EQ(hub_->room_count(), 0u);
  EXPECT_EQ(sink_.Calls("left").size(), 1u);  // the teacher; the waiting student never joined
}

TEST_F(LiveHubTest, AnEmptyRoomEndsByItselfAfterTheScheduledEndPlusTheDelay) {
  Client t = Teacher();
  t.conn->OnClose();
  Drain();
  Advance(options_.reconnect_grace_ms + 10);
  EXPECT_EQ(hub_->room_count(), 1u);  // empty, but before the scheduled end
  Advance(60 * 60'000);               // past the scheduled end
  EXPECT_EQ(hub_->room_count(), 1u);
  Advance(options_.auto_end_delay_ms - 60'000);
  EXPECT_EQ(hub_->room_count(), 1u);
  Advance(61'000);
  EXPECT_EQ(hub_->room_count(), 0u);
  ASSERT_EQ(ended_.size(), 1u);
}

TEST_F(LiveHubTest, AnOccupiedRoomDoesNotEndByItself) {
  Client t = Teacher();
  Advance(60 * 60'000 + options_.auto_end_delay_ms + 1000);
  EXPECT_EQ(hub_->room_count(), 1u);
  EXPECT_FALSE(t.out->closed());
}

TEST_F(LiveHubTest, HeartbeatsReportThePresentUsersEveryInterval) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  Client gone = Join(11, RoomRole::kStudent);
  gone.conn->OnClose();
  Drain();
  EXPECT_TRUE(sink_.Heartbeats().empty());
  Advance(options_.heartbeat_interval_ms);
  auto beats = sink_.Heartbeats();
  ASSERT_EQ(beats.size(), 1u);
  EXPECT_EQ(beats[0].first, (std::vector<int64_t>{1, 10}));
  EXPECT_EQ(beats[0].second, clock_.NowMs());
}

TEST_F(LiveHubTest, DestroyingTheHubClosesOpenAttendanceIntervals) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  s.conn->OnClose();
  Drain();
  int64_t gone_at = clock_.NowMs();
  clock_.Advance(1000);
  hub_.reset();
  auto left = sink_.Calls("left");
  ASSERT_EQ(left.size(), 2u);
  for (const auto& call : left) {
    EXPECT_EQ(call.at_ms, call.user_id == 10 ? gone_at : clock_.NowMs()) << call.user_id;
  }
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_rooms"), 0);
  EXPECT_EQ(registry_.GaugeValue("homeroom_live_participants"), 0);
  EXPECT_EQ(bus_.subscription_count(), 0u);
}

TEST_F(LiveHubTest, RoomsAreIndependent) {
  Client t = Teacher();
  Client s = Join(10, RoomRole::kStudent);
  RoomInfo other = Info();
  other.session_id = kSession + 1;
  auto out = std::make_shared<RecordingOutbound>();
  auto conn = hub_->Connect(other, Participant{20, "x", RoomRole::kStudent}, out, std::nullopt);
  Drain();
  conn->OnText(R"({"id":1,"type":"chat.send","text":"elsewhere"})");
  Drain();
  EXPECT_FALSE(s.out->Saw("chat.message"));
  EXPECT_EQ(hub_->room_count(), 2u);
  EXPECT_EQ(hub_->Rooms().size(), 2u);
  EXPECT_NE(out->OfType("welcome")[0].at("epoch"), t.out->OfType("welcome")[0].at("epoch"));
}

TEST_F(LiveHubTest, ConcurrentSendersOnManyThreadsSeeOneOrderWithoutGaps) {
  Client t = Teacher();
  std::vector<Client> students;
  for (int i = 0; i < 8; ++i) students.push_back(Join(100 + i, RoomRole::kStudent));
  ioc_.restart();
  auto guard = boost::asio::make_work_guard(ioc_);
  std::vector<std::thread> io;
  for (int i = 0; i < 2; ++i) io.emplace_back([this] { ioc_.run(); });
  std::vector<std::thread> senders;
  for (auto& s : students) {
    senders.emplace_back([&s] {
      for (int i = 0; i < 4; ++i) {
        s.conn->OnText(R"({"id":)" + std::to_string(i) + R"(,"type":"chat.send","text":"x"})");
      }
    });
  }
  for (auto& th : senders) th.join();
  // Wait until the teacher has the 32 messages (bounded).
  for (int i = 0; i < 500 && t.out->OfType("chat.message").size() < 32; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  guard.reset();
  ioc_.stop();
  for (auto& th : io) th.join();
  auto msgs = t.out->OfType("chat.message");
  ASSERT_EQ(msgs.size(), 32u);
  // Everyone sees every public event, in the same strictly increasing order.
  std::vector<int64_t> teacher_seqs;
  for (auto& f : t.out->Frames()) {
    if (f.contains("epoch") && f.at("type") != "welcome")
      teacher_seqs.push_back(f.at("seq").as_int64());
  }
  for (size_t i = 1; i < teacher_seqs.size(); ++i)
    EXPECT_EQ(teacher_seqs[i], teacher_seqs[i - 1] + 1);
  for (auto& s : students) EXPECT_EQ(s.out->OfType("chat.message").size(), 32u);
}

}  // namespace
}  // namespace homeroom::live
