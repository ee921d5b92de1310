#include "live/media_engine.h"

#include <boost/json/value.hpp>
#include <set>

namespace homeroom::live {

namespace json = boost::json;

SentMedia CountSentMedia(std::string_view sdp) {
  SentMedia sent;
  // Per m-section: its kind, whether its port is non-zero, its direction (sendrecv when none) and
  // its mid.
  std::string_view kind;
  bool open = false;
  bool sends = true;
  std::string_view mid;
  auto finish = [&] {
    if (!open || !sends) return;
    if (kind == "audio") {
      ++sent.audio;
      sent.streams.push_back({std::string(mid), "audio"});
    } else if (kind == "video") {
      ++sent.video;
      sent.streams.push_back({std::string(mid), sent.video == 1 ? "camera" : "screen"});
    }
  };
  size_t pos = 0;
  while (pos < sdp.size()) {
    size_t end = sdp.find('\n', pos);
    if (end == std::string_view::npos) end = sdp.size();
    std::string_view line = sdp.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.starts_with("m=")) {
      finish();
      std::string_view rest = line.substr(2);
      size_t space = rest.find(' ');
      kind = rest.substr(0, space);
      open = false;
      sends = true;
      mid = {};
      if (space != std::string_view::npos) {
        std::string_view port = rest.substr(space + 1);
        open = !port.empty() && port[0] != '0';
      }
    } else if (!kind.empty() && (line == "a=recvonly" || line == "a=inactive")) {
      sends = false;
    } else if (!kind.empty() && line.starts_with("a=mid:")) {
      mid = line.substr(6);
    }
  }
  finish();
  return sent;
}

Result<std::vector<StreamChoice>> ChooseStreams(const json::object& args,
                                                const std::map<int64_t, SentMedia>& feeds) {
  const json::value* feed_list = args.if_contains("feeds");
  const json::value* stream_list = args.if_contains("streams");
  if (feed_list != nullptr && stream_list != nullptr) {
    return Status::InvalidArgument("give feeds or streams, not both");
  }
  std::set<StreamChoice> chosen;
  if (feed_list != nullptr) {
    if (!feed_list->is_array() || feed_list->get_array().empty()) {
      return Status::InvalidArgument("feeds must be a non-empty array of feed ids");
    }
    for (const json::value& v : feed_list->get_array()) {
      if (!v.is_int64()) {
        return Status::InvalidArgument("feeds must be a non-empty array of feed ids");
      }
      if (!feeds.count(v.get_int64())) return Status::NotFound("no such publisher");
      chosen.insert({v.get_int64(), ""});
    }
  } else if (stream_list != nullptr) {
    constexpr const char* kShape =
        "streams must be a non-empty array of {\"feed\": feed id, \"mid\": \"...\"}";
    if (!stream_list->is_array() || stream_list->get_array().empty()) {
      return Status::InvalidArgument(kShape);
    }
    for (const json::value& v : stream_list->get_array()) {
      const json::object* o = v.if_object();
      const json::value* feed = o != nullptr ? o->if_contains("feed") : nullptr;
      const json::value* mid = o != nullptr ? o->if_contains("mid") : nullptr;
      if (feed == nullptr || !feed->is_int64() || mid == nullptr || !mid->is_string() ||
          mid->get_string().empty() || o->size() != 2) {
        return Status::InvalidArgument(kShape);
      }
      auto it = feeds.find(feed->get_int64());
      if (it == feeds.end()) return Status::NotFound("no such publisher");
      const SentMedia& sent = it->second;
      std::string_view wanted = mid->get_string();
      bool sends = false;
      for (const SentStream& s : sent.streams) sends = sends || s.mid == wanted;
      if (!sends) return Status::NotFound("the publisher sends no stream with that mid");
      chosen.insert({feed->get_int64(), std::string(wanted)});
    }
  } else {
    for (const auto& [feed, sent] : feeds) chosen.insert({feed, ""});
  }
  if (chosen.empty()) return Status::NotFound("nobody publishes yet");
  return std::vector<StreamChoice>(chosen.begin(), chosen.end());
}

}  // namespace homeroom::live
