#include "http/static_site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/temp_dir.h"

namespace homeroom::http {
namespace {

namespace bhttp = boost::beast::http;

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

struct Site {
  testing::TempDir dir;
  metrics::Registry metrics;
  std::unique_ptr<StaticSite> site;

  Site() {
    Write(dir.path() + "/index.html", "<!doctype html><title>Homeroom</title>");
    Write(dir.path() + "/index.html.gz", "GZ-INDEX");
    Write(dir.path() + "/favicon.svg", "<svg/>");
    Write(dir.path() + "/assets/index-abc123.js", "console.log(1)");
    Write(dir.path() + "/assets/index-abc123.js.br", "BR-JS");
    Write(dir.path() + "/assets/index-abc123.js.gz", "GZ-JS");
    Write(dir.path() + "/assets/app-9f.css", "body{}");
    auto loaded = StaticSite::Load({.root = dir.path()}, metrics);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    if (loaded.ok()) site = std::move(loaded).value();
  }

  Result<Response> Get(const std::string& target, const std::string& accept_encoding = "",
                       const std::string& if_none_match = "") {
    Request req(bhttp::verb::get, target, 11);
    req.set(bhttp::field::host, "school.example:8080");
    if (!accept_encoding.empty()) req.set(bhttp::field::accept_encoding, accept_encoding);
    if (!if_none_match.empty()) req.set(bhttp::field::if_none_match, if_none_match);
    return site->Serve(req);
  }

  uint64_t Count(const std::string& result) {
    return metrics
        .GetCounter("homeroom_web_responses_total", "Web app answers by result.",
                    {{"result", result}})
        .value();
  }
};

TEST(StaticSite, ServesHashedAssetsForAYearWithTheirContentType) {
  Site s;
  auto res = s.Get("/assets/app-9f.css");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_EQ(res->body(), "body{}");
  EXPECT_EQ((*res)[bhttp::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ((*res)[bhttp::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(s.Count("file"), 1u);
}

TEST(StaticSite, RevalidatesIndexAndAnswers304ToAMatchingETag) {
  Site s;
  auto res = s.Get("/");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ((*res)[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ((*res)[bhttp::field::cache_control], "no-cache");
  const std::string etag((*res)[bhttp::field::etag]);
  ASSERT_FALSE(etag.empty());
  auto again = s.Get("/index.html", "", etag);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->result_int(), 304);
  EXPECT_TRUE(again->body().empty());
  EXPECT_EQ(s.Count("not_modified"), 1u);
}

TEST(StaticSite, PrefersBrotliThenGzipAsTheClientAccepts) {
  Site s;
  auto br = s.Get("/assets/index-abc123.js", "gzip, deflate, br");
  ASSERT_TRUE(br.ok());
  EXPECT_EQ(br->body(), "BR-JS");
  EXPECT_EQ((*br)[bhttp::field::content_encoding], "br");
  EXPECT_EQ((*br)[bhttp::field::vary], "Accept-Encoding");
  auto gz = s.Get("/assets/index-abc123.js", "gzip, br;q=0");
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(gz->body(), "GZ-JS");
  EXPECT_EQ((*gz)[bhttp::field::content_encoding], "gzip");
  auto plain = s.Get("/assets/index-abc123.js");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->body(), "console.log(1)");
  EXPECT_EQ(plain->find(bhttp::field::content_encoding), plain->end());
  EXPECT_NE((*gz)[bhttp::field::etag], (*plain)[bhttp::field::etag]);
  // index.html has a gzip copy only.
  auto index = s.Get("/", "br, gzip");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->body(), "GZ-INDEX");
}

TEST(StaticSite, AnswersClientSideRoutesWithIndexAndMissingFilesWith404) {
  Site s;
  auto route = s.Get("/room/12?x=1");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->body(), "<!doctype html><title>Homeroom</title>");
  EXPECT_EQ(s.Count("spa"), 1u);
  EXPECT_EQ(s.Get("/assets/gone-000.js").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.Get("/wp-login.php").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.Get("/.env").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.Count("not_found"), 3u);
}

TEST(StaticSite, RefusesPathTraversalInEveryEncoding) {
  Site s;
  for (const char* target : {"/../etc/passwd", "/assets/../../etc/passwd", "/%2e%2e/etc/passwd",
                             "/assets/%2E%2E/index.html", "/a%5c..%5cb", "/a%00b", "/./index.html",
                             "/assets//index-abc123.js", "/a%2f..%2fb"}) {
    auto res = s.Get(target);
    EXPECT_FALSE(res.ok()) << target;
    EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument) << target;
  }
  EXPECT_EQ(s.Count("bad_path"), 9u);
}

TEST(StaticSite, SendsACspWithoutInlineScriptAndTheOtherSecurityHeaders) {
  Site s;
  auto res = s.Get("/");
  ASSERT_TRUE(res.ok());
  const std::string csp((*res)["Content-Security-Policy"]);
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self' ws://school.example:8080 wss://school.example:8080;"),
            std::string::npos)
      << csp;
  EXPECT_EQ((*res)["Cross-Origin-Opener-Policy"], "same-origin");
  // A Host that is not a plain host[:port] is never reflected.
  EXPECT_EQ(StaticSite::ContentSecurityPolicy("evil; script-src *").find("evil"),
            std::string::npos);
}

TEST(StaticSite, RefusesAMissingRootAndABuildOverItsLimits) {
  metrics::Registry metrics;
  EXPECT_EQ(StaticSite::Load({.root = "/nonexistent/web"}, metrics).status().code(),
            StatusCode::kNotFound);
  Site s;
  EXPECT_EQ(s.site->file_count(), 4u);
  EXPECT_EQ(StaticSite::Load({.root = s.dir.path(), .max_files = 2}, metrics).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      StaticSite::Load({.root = s.dir.path(), .max_total_bytes = 20}, metrics).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(s.metrics.GetGauge("homeroom_web_files", "").value(), 4);
}

}  // namespace
}  // namespace homeroom::http
