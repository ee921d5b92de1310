#include "http/static_site.h"

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/log.h"
#include "http/context.h"

namespace homeroom::http {

namespace beast_http = boost::beast::http;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kIndex = "/index.html";

std::string_view ContentTypeOf(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (path.size() > ext.size() && path.substr(path.size() - ext.size()) == ext) return type;
  }
  return "application/octet-stream";
}

// A strong validator: FNV-1a 64 of the bytes, plus the encoding.
std::string ETagOf(std::string_view body, std::string_view encoding) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  std::string etag = "\"";
  etag += hex;
  if (!encoding.empty()) {
    etag += '-';
    etag += encoding;
  }
  etag += '"';
  return etag;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A Host header fit to be named in the CSP: letters, digits, '.', '-', ':', '[' and ']'.
bool PlainHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']') {
      return false;
    }
  }
  return true;
}

Status ReadFile(const fs::path& path, size_t limit, std::string* out) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Status::Unavailable("cannot read " + path.string() + ": " + ec.message(), 5);
  if (size > limit) {
    return Status::InvalidArgument(path.string() + " is larger than --web-max-file-bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return Status::Unavailable("cannot read " + path.string(), 5);
  *out = std::move(text).str();
  return Status::Ok();
}

}  // namespace

StaticSite::StaticSite(StaticSiteOptions options, metrics::Registry& metrics)
    : options_(std::move(options)),
      served_file_(metrics.GetCounter("homeroom_web_responses_total", "Web app answers by result.",
                                      {{"result", "file"}})),
      served_spa_(metrics.GetCounter("homeroom_web_responses_total", "Web app answers by result.",
                                     {{"result", "spa"}})),
      not_modified_(metrics.GetCounter("homeroom_web_responses_total", "Web app answers by result.",
                                       {{"result", "not_modified"}})),
      not_found_(metrics.GetCounter("homeroom_web_responses_total", "Web app answers by result.",
                                    {{"result", "not_found"}})),
      bad_path_(metrics.GetCounter("homeroom_web_responses_total", "Web app answers by result.",
                                   {{"result", "bad_path"}})) {}

Result<std::unique_ptr<StaticSite>> StaticSite::Load(StaticSiteOptions options,
                                                     metrics::Registry& metrics) {
  const fs::path root(options.root);
  std::error_code ec;
  if (options.root.empty() || !fs::is_regular_file(root / "index.html", ec)) {
    return Status::NotFound("no web app at '" + options.root + "' (index.html missing)");
  }
  std::unique_ptr<StaticSite> site(new StaticSite(options, metrics));
  // Compressed siblings are attached after every plain file is known.
  std::vector<std::pair<std::string, fs::path>> compressed;
  size_t entries = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    // Symbolic links could lead out of the root: never followed.
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (++entries > options.max_files * 3) {
      return Status::InvalidArgument("the web app has more files than --web-max-files");
    }
    std::string rel = "/" + fs::relative(it->path(), root, ec).generic_string();
    if (ec) break;
    if (EndsWith(rel, ".br") || EndsWith(rel, ".gz")) {
      compressed.emplace_back(std::move(rel), it->path());
      continue;
    }
    if (site->files_.size() >= options.max_files) {
      return Status::InvalidArgument("the web app has more files than --web-max-files");
    }
    File file;
    HR_RETURN_IF_ERROR(ReadFile(it->path(), options.max_file_bytes, &file.identity.body));
    site->total_bytes_ += file.identity.body.size();
    file.identity.etag = ETagOf(file.identity.body, "");
    file.content_type = std::string(ContentTypeOf(rel));
    file.immutable = !options.immutable_prefix.empty() &&
                     rel.compare(0, options.immutable_prefix.size(), options.immutable_prefix) == 0;
    site->files_.emplace(std::move(rel), std::move(file));
  }
  if (ec) return Status::Unavailable("cannot list " + options.root + ": " + ec.message(), 5);
  for (auto& [rel, path] : compressed) {
    const std::string base = rel.substr(0, rel.size() - 3);
    const bool br = EndsWith(rel, ".br");
    auto found = site->files_.find(base);
    if (found == site->files_.end()) continue;  // an orphan: nothing to serve it for
    auto variant = std::make_unique<Variant>();
    HR_RETURN_IF_ERROR(ReadFile(path, options.max_file_bytes, &variant->body));
    site->total_bytes_ += variant->body.size();
    variant->etag = ETagOf(found->second.identity.body, br ? "br" : "gzip");
    (br ? found->second.br : found->second.gzip) = std::move(variant);
  }
  if (site->total_bytes_ > options.max_total_bytes) {
    return Status::InvalidArgument("the web app is larger than --web-max-bytes");
  }
  metrics.GetGauge("homeroom_web_files", "Files of the web app served from memory.")
      .Set(static_cast<int64_t>(site->files_.size()));
  metrics
      .GetGauge("homeroom_web_bytes",
                "Bytes of the web app held in memory, compressed copies included.")
      .Set(static_cast<int64_t>(site->total_bytes_));
  return site;
}

std::string StaticSite::ContentSecurityPolicy(std::string_view host) {
  std::string connect = "'self'";
  if (PlainHost(host)) {
    connect += " ws://";
    connect += host;
    connect += " wss://";
    connect += host;
  }
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
         "font-src 'self'; connect-src " +
         connect +
         "; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
         "form-action 'self'; frame-ancestors 'none'";
}

std::string_view StaticSite::ChooseEncoding(std::string_view accept, bool has_br, bool has_gzip) {
  bool br = false, gzip = false;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    bool refused = false;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      size_t q = params.find("q=");
      if (q != std::string_view::npos) {
        std::string_view v = params.substr(q + 2);
        // q=0, q=0.0, q=0.000: refused; anything else accepts.
        refused =
            !v.empty() && v.front() == '0' && v.find_first_not_of("0. ") == std::string_view::npos;
      }
    }
    if (refused) continue;
    if (name == "br") br = true;
    if (name == "gzip" || name == "x-gzip") gzip = true;
  }
  if (br && has_br) return "br";
  if (gzip && has_gzip) return "gzip";
  return "";
}

Response StaticSite::Answer(const File& file, const Request& request) const {
  const std::string_view encoding = ChooseEncoding(request[beast_http::field::accept_encoding],
                                                   file.br != nullptr, file.gzip != nullptr);
  const Variant& variant = encoding == "br"     ? *file.br
                           : encoding == "gzip" ? *file.gzip
                                                : file.identity;
  Response res;
  res.version(request.version());
  res.keep_alive(request.keep_alive());
  res.set(beast_http::field::content_type, file.content_type);
  res.set(beast_http::field::cache_control,
          file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set(beast_http::field::etag, variant.etag);
  if (file.br || file.gzip) res.set(beast_http::field::vary, "Accept-Encoding");
  res.set("Content-Security-Policy", ContentSecurityPolicy(request[beast_http::field::host]));
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=(), payment=()");
  const std::string_view if_none_match = request[beast_http::field::if_none_match];
  if (!if_none_match.empty() && if_none_match.find(variant.etag) != std::string_view::npos) {
    not_modified_.Inc();
    res.result(beast_http::status::not_modified);
    return res;
  }
  if (!encoding.empty()) res.set(beast_http::field::content_encoding, encoding);
  res.result(beast_http::status::ok);
  res.body() = variant.body;
  res.prepare_payload();
  return res;
}

Result<Response> StaticSite::Serve(const Request& request) const {
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) {
    bad_path_.Inc();
    return Status::InvalidArgument("invalid path");
  }
  // Literal dot segments first (Boost.URL's segment view hides a leading "/."), then the decoded
  // segments: "%2e%2e" is ".." too.
  const std::string_view raw = url->encoded_path();
  for (size_t i = 0; i < raw.size();) {
    size_t j = raw.find('/', i + 1);
    if (j == std::string_view::npos) j = raw.size();
    const std::string_view piece = raw.substr(i + 1, j - i - 1);
    if (piece == "." || piece == "..") {
      bad_path_.Inc();
      return Status::InvalidArgument("invalid path");
    }
    i = j;
  }
  std::string path;
  std::string last;
  for (auto segment : url->encoded_segments()) {
    std::string s = segment.decode();
    if (s.empty() && !url->encoded_path().ends_with('/')) {
      bad_path_.Inc();
      return Status::InvalidArgument("invalid path");
    }
    if (s == "." || s == ".." || s.find('\\') != std::string::npos ||
        s.find('\0') != std::string::npos || s.find('/') != std::string::npos) {
      bad_path_.Inc();
      return Status::InvalidArgument("invalid path");
    }
    if (s.empty()) continue;  // a trailing slash
    path += '/';
    path += s;
    last = std::move(s);
  }
  if (path.empty()) path = kIndex;
  auto found = files_.find(path);
  if (found != files_.end()) {
    served_file_.Inc();
    return Answer(found->second, request);
  }
  // Client-side routes have no extension; a missing asset (or /wp-login.php) is a real 404.
  if (last.find('.') == std::string::npos) {
    auto index = files_.find(kIndex);
    if (index != files_.end()) {
      served_spa_.Inc();
      return Answer(index->second, request);
    }
  }
  not_found_.Inc();
  return Status::NotFound("no such file");
}

Handler StaticSite::AsHandler() const {
  return [this](RequestContext& ctx) -> boost::asio::awaitable<Result<Response>> {
    co_return Serve(ctx.request);
  };
}

}  // namespace homeroom::http
