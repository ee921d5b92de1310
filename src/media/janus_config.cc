#include "media/janus_config.h"

#include <sodium.h>
#include <sys/stat.h>

#include <boost/asio/ip/address.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <sstream>
#include <system_error>

namespace homeroom::media {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCredentialsFile = "homeroom-janus.json";
constexpr const char* kVideoRoomPlugin = "libjanus_videoroom.so";
constexpr const char* kHttpTransport = "libjanus_http.so";

std::string RandomSecret() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

// A jcfg string: Janus's libconfig-style parser takes double-quoted strings with backslash escapes.
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Writes `text` to `path` through a temporary file and a rename, with `mode` permissions.
Status WriteFileAtomically(const fs::path& path, const std::string& text, mode_t mode) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Internal("cannot write " + tmp.string());
    out << text;
    out.flush();
    if (!out) return Status::Internal("cannot write " + tmp.string());
  }
  if (::chmod(tmp.c_str(), mode) != 0) return Status::Internal("cannot chmod " + tmp.string());
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::Internal("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

// `folder` holds exactly one link, to `library`: what Janus loads from there.
Status LinkFolder(const fs::path& folder, const fs::path& library) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return Status::Internal("cannot create " + folder.string() + ": " + ec.message());
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.path().filename() != library.filename()) fs::remove(entry.path(), ec);
  }
  const fs::path link = folder / library.filename();
  fs::remove(link, ec);
  fs::create_symlink(library, link, ec);
  if (ec) return Status::Internal("cannot link " + link.string() + ": " + ec.message());
  return Status::Ok();
}

Status EmptyFolder(const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return Status::Internal("cannot create " + folder.string() + ": " + ec.message());
  for (const auto& entry : fs::directory_iterator(folder, ec)) fs::remove_all(entry.path(), ec);
  return Status::Ok();
}

Status Validate(const JanusConfigOptions& o) {
  if (o.http_port == 0 || o.admin_port == 0 || o.http_port == o.admin_port) {
    return Status::InvalidArgument("--http-port and --admin-port must be two different ports");
  }
  if (o.rtp_port_min == 0 || o.rtp_port_min >= o.rtp_port_max) {
    return Status::InvalidArgument("--rtp-ports must be a range MIN-MAX with 0 < MIN < MAX");
  }
  for (uint16_t p : {o.http_port, o.admin_port}) {
    if (p >= o.rtp_port_min && p <= o.rtp_port_max) {
      return Status::InvalidArgument("the API ports must lie outside --rtp-ports");
    }
  }
  if (!o.public_ip.empty()) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(o.public_ip, ec);
    if (ec) return Status::InvalidArgument("--public-ip is not an IP address: " + o.public_ip);
  }
  if (o.debug_level < 0 || o.debug_level > 7) {
    return Status::InvalidArgument("--debug-level must be 0-7");
  }
  if (o.event_loops < 0 || o.event_loops > kMaxJanusEventLoops) {
    return Status::InvalidArgument("--event-loops must be 0-" +
                                   std::to_string(kMaxJanusEventLoops));
  }
  for (const fs::path& lib : {o.janus_lib_dir / "plugins" / kVideoRoomPlugin,
                              o.janus_lib_dir / "transports" / kHttpTransport}) {
    if (!fs::exists(lib)) {
      return Status::InvalidArgument("Janus is not installed here (no " + lib.string() +
                                     "): `apt install janus`, or pass --janus-lib-dir");
    }
  }
  return Status::Ok();
}

std::string MainConfig(const fs::path& dir, const JanusConfigOptions& o,
                       const JanusCredentials& c) {
  std::ostringstream s;
  s << "# Written by `homeroom janus-config`: Janus as Homeroom's media sidecar. Do not edit;\n"
       "# rerun the command (docs/operations.md, \"Media: Janus\").\n"
       "general: {\n"
       "  configs_folder = "
    << Quoted(dir.string())
    << "\n"
       "  plugins_folder = "
    << Quoted((dir / "plugins").string())
    << "\n"
       "  transports_folder = "
    << Quoted((dir / "transports").string())
    << "\n"
       "  events_folder = "
    << Quoted((dir / "events").string())
    << "\n"
       "  loggers_folder = "
    << Quoted((dir / "loggers").string())
    << "\n"
       "  debug_level = "
    << o.debug_level
    << "\n"
       "  admin_secret = "
    << Quoted(c.admin_secret)
    << "\n"
       "  token_auth = true\n"
       "  server_name = \"homeroom-media\"\n"
       "  session_timeout = 60\n"
       "  hide_dependencies = true\n";
  if (o.event_loops > 0) s << "  event_loops = " << o.event_loops << "\n";
  s << "}\n"
       "media: {\n"
       "  rtp_port_range = \""
    << o.rtp_port_min << "-" << o.rtp_port_max
    << "\"\n"
       "}\n"
       "nat: {\n"
       "  ice_ignore_list = \"vmnet\"\n";
  if (!o.public_ip.empty()) s << "  nat_1_1_mapping = " << Quoted(o.public_ip) << "\n";
  s << "}\n"
       "plugins: {\n}\n"
       "transports: {\n}\n"
       "loggers: {\n}\n"
       "events: {\n"
       "  broadcast = false\n"
       "}\n";
  return s.str();
}

std::string HttpTransportConfig(const JanusConfigOptions& o) {
  std::ostringstream s;
  s << "# Written by `homeroom janus-config`: the APIs on loopback only, for Homeroom alone.\n"
       "general: {\n"
       "  json = \"compact\"\n"
       "  base_path = \"/janus\"\n"
       "  http = true\n"
       "  port = "
    << o.http_port
    << "\n"
       "  ip = \"127.0.0.1\"\n"
       "  acl = \"127.\"\n"
       "  https = false\n"
       "}\n"
       "admin: {\n"
       "  admin_base_path = \"/admin\"\n"
       "  admin_http = true\n"
       "  admin_port = "
    << o.admin_port
    << "\n"
       "  admin_ip = \"127.0.0.1\"\n"
       "  admin_acl = \"127.\"\n"
       "  admin_https = false\n"
       "}\n"
       "cors: {\n}\n";
  return s.str();
}

std::string VideoRoomConfig(const JanusCredentials& c) {
  std::ostringstream s;
  s << "# Written by `homeroom janus-config`: rooms only through Homeroom (admin_key), none "
       "static.\n"
       "general: {\n"
       "  admin_key = "
    << Quoted(c.videoroom_admin_key)
    << "\n"
       "  lock_rtp_forward = true\n"
       "}\n";
  return s.str();
}

std::string CredentialsJson(const JanusCredentials& c) {
  boost::json::object o;
  o["admin_secret"] = c.admin_secret;
  o["api_token"] = c.api_token;
  o["videoroom_admin_key"] = c.videoroom_admin_key;
  o["api_url"] = c.api_url;
  o["admin_url"] = c.admin_url;
  return boost::json::serialize(o) + "\n";
}

}  // namespace

Result<JanusCredentials> ReadJanusCredentials(const fs::path& dir) {
  const fs::path path = dir / kCredentialsFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text.str(), ec);
  if (ec || !v.is_object()) return Status::InvalidArgument(path.string() + " is not a JSON object");
  const auto& o = v.get_object();
  JanusCredentials c;
  const std::pair<const char*, std::string*> fields[] = {
      {"admin_secret", &c.admin_secret},
      {"api_token", &c.api_token},
      {"videoroom_admin_key", &c.videoroom_admin_key},
      {"api_url", &c.api_url},
      {"admin_url", &c.admin_url}};
  for (const auto& [key, out] : fields) {
    const boost::json::value* field = o.if_contains(key);
    if (field == nullptr || !field->is_string() || field->get_string().empty()) {
      return Status::InvalidArgument(path.string() + ": missing " + key);
    }
    *out = std::string(field->get_string());
  }
  return c;
}

Result<JanusCredentials> WriteJanusConfig(const fs::path& dir, const JanusConfigOptions& options) {
  HR_RETURN_IF_ERROR(Validate(options));
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialize");
  std::error_code ec;
  const fs::path root = fs::absolute(dir, ec);
  if (ec) return Status::InvalidArgument("bad directory " + dir.string() + ": " + ec.message());
  fs::create_directories(root, ec);
  if (ec) return Status::Internal("cannot create " + root.string() + ": " + ec.message());

  JanusCredentials c;
  if (auto kept = ReadJanusCredentials(root); kept.ok()) {
    c = std::move(kept.value());
  } else {
    c.admin_secret = RandomSecret();
    c.api_token = RandomSecret();
    c.videoroom_admin_key = RandomSecret();
  }
  c.api_url = "http://127.0.0.1:" + std::to_string(options.http_port) + "/janus";
  c.admin_url = "http://127.0.0.1:" + std::to_string(options.admin_port) + "/admin";

  HR_RETURN_IF_ERROR(
      LinkFolder(root / "plugins", options.janus_lib_dir / "plugins" / kVideoRoomPlugin));
  HR_RETURN_IF_ERROR(
      LinkFolder(root / "transports", options.janus_lib_dir / "transports" / kHttpTransport));
  HR_RETURN_IF_ERROR(EmptyFolder(root / "events"));
  HR_RETURN_IF_ERROR(EmptyFolder(root / "loggers"));
  // The secrets are in the first three files too: readable by their owner only.
  HR_RETURN_IF_ERROR(WriteFileAtomically(root / "janus.jcfg", MainConfig(root, options, c), 0600));
  HR_RETURN_IF_ERROR(
      WriteFileAtomically(root / "janus.transport.http.jcfg", HttpTransportConfig(options), 0600));
  HR_RETURN_IF_ERROR(
      WriteFileAtomically(root / "janus.plugin.videoroom.jcfg", VideoRoomConfig(c), 0600));
  HR_RETURN_IF_ERROR(WriteFileAtomically(root / kCredentialsFile, CredentialsJson(c), 0600));
  return c;
}

}  // namespace homeroom::media
