#include "live/media_engine.h"

namespace homeroom::live {

SentMedia CountSentMedia(std::string_view sdp) {
  SentMedia sent;
  // Per m-section: its kind, whether its port is non-zero, and its direction (sendrecv when none).
  std::string_view kind;
  bool open = false;
  bool sends = true;
  auto finish = [&] {
    if (open && sends) {
      if (kind == "audio") ++sent.audio;
      if (kind == "video") ++sent.video;
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
      if (space != std::string_view::npos) {
        std::string_view port = rest.substr(space + 1);
        open = !port.empty() && port[0] != '0';
      }
    } else if (!kind.empty() && (line == "a=recvonly" || line == "a=inactive")) {
      sends = false;
    }
  }
  finish();
  return sent;
}

}  // namespace homeroom::live
