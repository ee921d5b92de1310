// The web app served by the real server (app::App on 127.0.0.1:0): its files with the right
// headers, precompressed copies, client-side routes, and the API left as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A built web app in miniature, as `npm run build` lays it out.
struct WebRoot {
  TempDir dir;
  WebRoot() {
    Write(dir.path() + "/index.html",
          "<!doctype html><script type=module src=/assets/index-1a2b.js></script>");
    Write(dir.path() + "/assets/index-1a2b.js", "export const homeroom = 1;");
    Write(dir.path() + "/assets/index-1a2b.js.br", "BROTLI");
    Write(dir.path() + "/assets/index-1a2b.js.gz", "GZIP");
  }
};

uint64_t WebCount(TestServer& server, const std::string& result) {
  return server.app()
      .metrics()
      .GetCounter("homeroom_web_responses_total", "Web app answers by result.",
                  {{"result", result}})
      .value();
}

TEST(Web, ServesTheAppWithSecurityHeadersBesideTheApi) {
  WebRoot web;
  TestServer server([&](app::AppConfig& c) { c.web.root = web.dir.path(); });
  auto client = server.Client();

  auto index = client.Get("/");
  ASSERT_EQ(index.result_int(), 200) << index.body();
  EXPECT_EQ(index[boost::beast::http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(index[boost::beast::http::field::cache_control], "no-cache");
  EXPECT_EQ(index["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(index["X-Frame-Options"], "DENY");
  EXPECT_EQ(index["Referrer-Policy"], "no-referrer");
  const std::string csp(index["Content-Security-Policy"]);
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("ws://127.0.0.1:" + std::to_string(server.port())), std::string::npos) << csp;

  auto js = client.Get("/assets/index-1a2b.js", {{"Accept-Encoding", "gzip, br"}});
  ASSERT_EQ(js.result_int(), 200);
  EXPECT_EQ(js.body(), "BROTLI");
  EXPECT_EQ(js[boost::beast::http::field::content_encoding], "br");
  EXPECT_EQ(js[boost::beast::http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(js[boost::beast::http::field::cache_control], "public, max-age=31536000, immutable");

  auto route = client.Get("/room/42");
  ASSERT_EQ(route.result_int(), 200);
  EXPECT_EQ(route.body(), index.body());

  // The API is untouched: its unknown paths are JSON 404s, its routes answer as before.
  auto api = client.Get("/api/v1/no-such-thing");
  EXPECT_EQ(api.result_int(), 404);
  EXPECT_EQ(HttpClient::Json(api).at("error").at("code"), "not_found");
  EXPECT_EQ(client.Get("/api/v1/me").result_int(), 401);
  EXPECT_EQ(client.Get("/healthz").result_int(), 200);
  EXPECT_EQ(client.Get("/wp-login.php").result_int(), 404);

  EXPECT_EQ(WebCount(server, "file"), 2u);
  EXPECT_EQ(WebCount(server, "spa"), 1u);
  EXPECT_EQ(WebCount(server, "not_found"), 1u);
}

TEST(Web, RefusesPathsThatTryToLeaveTheRoot) {
  WebRoot web;
  Write(web.dir.path() + "/../secret.txt", "do not serve");
  TestServer server([&](app::AppConfig& c) { c.web.root = web.dir.path(); });
  auto client = server.Client();
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                             "/..%5csecret.txt"}) {
    auto res = client.Get(target);
    EXPECT_TRUE(res.result_int() == 400 || res.result_int() == 404) << target << res.result_int();
    EXPECT_EQ(res.body().find("do not serve"), std::string::npos) << target;
  }
  EXPECT_GE(WebCount(server, "bad_path"), 3u);
}

TEST(Web, NeedsNoProofOfWorkUnderAttackWhileTheApiDoes) {
  WebRoot web;
  TestServer server([&](app::AppConfig& c) {
    c.web.root = web.dir.path();
    c.attack_mode = "on";
  });
  auto client = server.Client();
  EXPECT_EQ(client.Get("/").result_int(), 200);
  EXPECT_EQ(client.Get("/assets/index-1a2b.js").result_int(), 200);
  auto login = client.Post("/api/v1/auth/login", R"({"username":"student_a","password":"x"})");
  EXPECT_EQ(login.result_int(), 403);
  EXPECT_EQ(HttpClient::Json(login).at("error").at("code"), "challenge_required");
}

TEST(Web, ServesTheApiAloneWhenTheWebRootHasNoApp) {
  TempDir empty;
  TestServer server([&](app::AppConfig& c) { c.web.root = empty.path(); });
  auto client = server.Client();
  EXPECT_EQ(client.Get("/").result_int(), 404);
  EXPECT_EQ(client.Get("/healthz").result_int(), 200);
}

}  // namespace
}  // namespace homeroom::testing
