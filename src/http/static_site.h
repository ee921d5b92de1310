#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "core/status.h"
#include "http/router.h"

namespace homeroom::http {

struct StaticSiteOptions {
  // The built web app (web/dist). Empty: no web app, the API alone.
  std::string root;
  // Limits on what Load() reads into memory; a build over them is refused at start-up.
  size_t max_files = 2000;
  size_t max_total_bytes = 64 << 20;  // every file and its compressed copies
  size_t max_file_bytes = 16 << 20;
  // Paths below this prefix carry a content hash in their name (Vite's assets/): cached for a
  // year and never revalidated. Everything else (index.html, favicon.svg) is revalidated with its
  // ETag on every use.
  std::string immutable_prefix = "/assets/";
};

// The built web app, served from memory: every file under StaticSiteOptions::root is read once at
// start-up (so no request ever touches the disk or blocks an I/O thread, and no path can leave
// the root: only names found by Load() exist), with its precompressed siblings (x.js.br,
// x.js.gz) chosen by Accept-Encoding.
//
// Serve() answers a GET target: the file; for a path whose last segment has no '.', the SPA's
// index.html (client-side routes such as /room/12); otherwise NotFound. A path with "..", ".",
// a backslash, a NUL or an empty segment is refused (InvalidArgument). Answers carry
// Content-Type, ETag (304 on If-None-Match), Cache-Control (immutable for hashed assets,
// no-cache otherwise), Vary: Accept-Encoding, and the security headers of docs/security.md
// ("Web app headers"): Content-Security-Policy without inline script, Cross-Origin-Opener-Policy,
// Permissions-Policy (the dispatcher adds X-Content-Type-Options, Referrer-Policy and
// X-Frame-Options).
//
// Counts homeroom_web_responses_total{result=file|spa|not_modified|not_found|bad_path} and sets
// homeroom_web_files and homeroom_web_bytes.
//
// Thread-safe: immutable after Load().
class StaticSite {
 public:
  // Reads the web app. kNotFound when the root or its index.html does not exist;
  // kInvalidArgument when a limit is exceeded (the message names it); kUnavailable when a file
  // cannot be read. `metrics` must outlive the site.
  static Result<std::unique_ptr<StaticSite>> Load(StaticSiteOptions options,
                                                  metrics::Registry& metrics);

  // The answer to a GET of `request.target()`; errors as above, for the dispatcher to map.
  Result<Response> Serve(const Request& request) const;
  // Serve() as a router handler (Router::SetFallback). The site must outlive the router.
  Handler AsHandler() const;

  size_t file_count() const { return files_.size(); }
  size_t total_bytes() const { return total_bytes_; }

  // The Content-Security-Policy sent with every file. `host` (the request's Host, when it is a
  // plain host[:port]) is allowed as a WebSocket origin: CSP 'self' covers ws: and wss: only in
  // CSP level 3 browsers.
  static std::string ContentSecurityPolicy(std::string_view host);
  // "br", "gzip" or "" (identity): the best of `available` that `accept_encoding` accepts.
  static std::string_view ChooseEncoding(std::string_view accept_encoding, bool has_br,
                                         bool has_gzip);

 private:
  struct Variant {
    std::string body;
    std::string etag;
  };
  struct File {
    std::string content_type;
    Variant identity;
    std::unique_ptr<Variant> br;
    std::unique_ptr<Variant> gzip;
    bool immutable = false;
  };
  StaticSite(StaticSiteOptions options, metrics::Registry& metrics);
  Response Answer(const File& file, const Request& request) const;

  const StaticSiteOptions options_;
  std::map<std::string, File, std::less<>> files_;  // by path, "/index.html"
  size_t total_bytes_ = 0;
  metrics::Counter& served_file_;
  metrics::Counter& served_spa_;
  metrics::Counter& not_modified_;
  metrics::Counter& not_found_;
  metrics::Counter& bad_path_;
};

}  // namespace homeroom::http
