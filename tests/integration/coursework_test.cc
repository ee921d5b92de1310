// Coursework against the real server and store: assignments with attachments and a due date in the
// district's zone, uploads streamed into the content-addressed file store (Content-Length and
// chunked), the per-file and per-user limits and the type allowlist, submissions, resubmission and
// the late flag, the "to grade" queue, grades seen by the student and their guardian, and who may
// download which file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <boost/asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "core/clock.h"
#include "integration/test_server.h"
#include "store/sql.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;

constexpr const char* kPdf = "application/pdf";

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[sizeof(digest) * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return hex;
}

// `n` bytes that are not all alike (so that two sizes never share a hash by accident).
std::string Bytes(size_t n, char seed = 'a') {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + (i * 7) % 23);
  return s;
}

struct Caller {
  TestServer& server;
  std::string token;
  HttpClient::Response Send(bhttp::verb verb, const std::string& target,
                            const std::string& body = "") {
    return server.Client().Send(verb, target, body, Bearer(token));
  }
  HttpClient::Response Upload(const std::string& name, const std::string& type,
                              const std::string& bytes) {
    HttpClient::Headers headers = Bearer(token);
    headers.emplace_back("Content-Type", type);
    return server.Client().Send(bhttp::verb::post, "/api/v1/files?name=" + name, bytes, headers);
  }
  int64_t UploadOk(const std::string& name, const std::string& type, const std::string& bytes) {
    auto res = Upload(name, type, bytes);
    EXPECT_EQ(res.result_int(), 201) << res.body();
    return HttpClient::Json(res).at("id").as_int64();
  }
  boost::json::value Json(bhttp::verb verb, const std::string& target, int expected,
                          const std::string& body = "") {
    auto res = Send(verb, target, body);
    EXPECT_EQ(res.result_int(), expected) << target << ": " << res.body();
    return HttpClient::Json(res);
  }
  int64_t CreateAssignment(int64_t section, const std::string& due_at,
                           const std::string& attachments = "[]") {
    auto body = fmt::format(
        R"({{"title":"Essay","instructions":"Write one page.","due_at":"{}","points":10,)"
        R"("attachment_ids":{}}})",
        due_at, attachments);
    auto v =
        Json(bhttp::verb::post, fmt::format("/api/v1/sections/{}/assignments", section), 201, body);
    return v.is_object() ? v.at("id").as_int64() : 0;
  }
};

// The JSON error's "reason" of a response.
std::string Reason(const HttpClient::Response& res) {
  boost::json::value v = HttpClient::Json(res);
  if (!v.is_object() || !v.as_object().contains("error")) return "(not a JSON error)";
  const auto& error = v.at("error").as_object();
  return error.contains("reason") ? std::string(error.at("reason").as_string()) : "(no reason)";
}

std::string Future(int64_t days) {
  return FormatIsoUtc(SystemClock::Instance().NowMs() + days * 86'400'000);
}

size_t FilesIn(const fs::path& dir) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); ++it) ++n;
  return n;
}

// A chunked upload over a raw socket, sent in two halves: `between` runs after the first.
class ChunkedUpload {
 public:
  ChunkedUpload(uint16_t port, const std::string& token, const std::string& name,
                const std::string& type)
      : stream_(ioc_) {
    stream_.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    Write(fmt::format(
        "POST /api/v1/files?name={} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n"
        "Content-Type: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        name, token, type));
  }
  void Chunk(const std::string& bytes) {
    Write(fmt::format("{:x}\r\n", bytes.size()) + bytes + "\r\n");
  }
  HttpClient::Response Finish() {
    Write("0\r\n\r\n");
    HttpClient::Response res;
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    stream_.expires_after(std::chrono::seconds(30));
    bhttp::read(stream_, buffer, res, ec);
    if (ec) res.result(0);
    return res;
  }
  void Write(const std::string& s) {
    boost::system::error_code ec;
    boost::asio::write(stream_, boost::asio::buffer(s), ec);
  }

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
};

TEST(Coursework, ATeacherSetsAnAssignmentDueInTheDistrictsZoneWithAnAttachmentItsStudentsCanRead) {
  TestServer server;
  Caller teacher_a{server, server.Login("teacher_a")};
  Caller student_a{server, server.Login("student_a")};
  Caller guardian_a{server, server.Login("guardian_a")};
  Caller student_b{server, server.Login("student_b")};

  const std::string pdf = "%PDF-1.4 the rubric";
  int64_t rubric = teacher_a.UploadOk("rubric.pdf", kPdf, pdf);
  // Local to the district (America/New_York, EDT in September): 23:59 is 03:59 UTC the next day.
  int64_t id = teacher_a.CreateAssignment(10, "2030-09-03T23:59", fmt::format("[{}]", rubric));
  auto a = student_a.Json(bhttp::verb::get, fmt::format("/api/v1/assignments/{}", id), 200);
  EXPECT_EQ(a.at("due_local").as_string(), "2030-09-03T23:59");
  EXPECT_EQ(a.at("due_at").as_string(), "2030-09-04T03:59:00.000Z");
  EXPECT_EQ(a.at("time_zone").as_string(), "America/New_York");
  EXPECT_EQ(a.at("points").as_int64(), 10);
  EXPECT_FALSE(a.at("past_due").as_bool());
  EXPECT_TRUE(a.at("submission").is_null());
  ASSERT_EQ(a.at("attachments").as_array().size(), 1u);
  EXPECT_EQ(a.at("attachments").at(0).at("sha256").as_string(), Sha256Hex(pdf));

  auto list = guardian_a.Json(bhttp::verb::get, "/api/v1/sections/10/assignments", 200);
  EXPECT_EQ(list.at("items").as_array().size(), 1u);

  const std::string url = fmt::format("/api/v1/files/{}", rubric);
  auto download = student_a.Send(bhttp::verb::get, url);
  EXPECT_EQ(download.result_int(), 200);
  EXPECT_EQ(download.body(), pdf);
  EXPECT_EQ(download[bhttp::field::content_type], kPdf);
  EXPECT_EQ(download[bhttp::field::content_disposition], "attachment; filename*=UTF-8''rubric.pdf");
  EXPECT_EQ(guardian_a.Send(bhttp::verb::get, url).result_int(), 200);
  // Not of the section: as if the file did not exist.
  EXPECT_EQ(student_b.Send(bhttp::verb::get, url).result_int(), 404);
  EXPECT_EQ(
      student_b.Send(bhttp::verb::get, fmt::format("/api/v1/assignments/{}", id)).result_int(),
      403);
  // A teacher attaches only their own files.
  int64_t students_file = student_a.UploadOk("notes.txt", "text/plain", "my notes");
  auto res = teacher_a.Send(bhttp::verb::post, "/api/v1/sections/10/assignments",
                            fmt::format(R"({{"title":"T","due_at":"{}","points":5,)"
                                        R"("attachment_ids":[{}]}})",
                                        Future(3), students_file));
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_EQ(Reason(res), "not_your_file");
  // Bad input is named.
  res = teacher_a.Send(bhttp::verb::post, "/api/v1/sections/10/assignments",
                       R"({"title":"T","due_at":"someday","points":5})");
  EXPECT_EQ(res.result_int(), 400) << res.body();
}

TEST(Coursework, AnUploadIsStreamedToDiskBeforeItsBodyEndsAndStoredUnderItsSha256) {
  TestServer server;
  Caller student_a{server, server.Login("student_a")};
  const fs::path tmp = fs::path(server.data_dir()) / "files" / "tmp";
  EXPECT_EQ(FilesIn(tmp), 0u);

  const std::string first = Bytes(300 << 10, 'a');  // larger than the default 64 KiB body limit
  const std::string second = Bytes(200 << 10, 'b');
  ChunkedUpload upload(server.port(), student_a.token, "big.txt", "text/plain");
  upload.Chunk(first);
  // The first half reaches the disk while the request is still open: it is not buffered.
  uintmax_t on_disk = 0;
  for (int i = 0; i < 1000 && on_disk < first.size(); ++i) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(tmp, ec); !ec && it != fs::directory_iterator(); ++it) {
      on_disk = fs::file_size(it->path(), ec);
    }
    if (on_disk < first.size()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(on_disk, first.size());
  upload.Chunk(second);
  auto res = upload.Finish();
  ASSERT_EQ(res.result_int(), 201) << res.body();
  auto file = HttpClient::Json(res);
  const std::string whole = first + second;
  const std::string sha = Sha256Hex(whole);
  EXPECT_EQ(file.at("sha256").as_string(), sha);
  EXPECT_EQ(file.at("size").as_int64(), static_cast<int64_t>(whole.size()));
  const fs::path blob = fs::path(server.data_dir()) / "files" / sha.substr(0, 2) / sha;
  EXPECT_EQ(fs::file_size(blob), whole.size());
  EXPECT_EQ(FilesIn(tmp), 0u);  // renamed into place

  // The same bytes again: a second file, one blob.
  int64_t again = student_a.UploadOk("copy.txt", "text/plain", whole);
  EXPECT_NE(again, file.at("id").as_int64());
  EXPECT_EQ(FilesIn(fs::path(server.data_dir()) / "files" / sha.substr(0, 2)), 1u);
  auto download = student_a.Send(bhttp::verb::get, fmt::format("/api/v1/files/{}", again));
  EXPECT_EQ(download.body(), whole);
  EXPECT_EQ(server.app().metrics().CounterValue("homeroom_coursework_uploads_total",
                                                {{"result", "stored"}}),
            2u);
  EXPECT_EQ(server.app().metrics().CounterValue("homeroom_coursework_upload_bytes_total"),
            2 * whole.size());
}

TEST(Coursework, UploadsOverTheLimitsOrOfTypesNotAllowedAreRefusedWithTheirReason) {
  TestServer server([](app::AppConfig& c) {
    c.coursework.max_file_bytes = 64 << 10;
    c.coursework.max_user_bytes = 100 << 10;
  });
  Caller student_a{server, server.Login("student_a")};
  Caller guardian_a{server, server.Login("guardian_a")};
  auto& metrics = server.app().metrics();
  const fs::path tmp = fs::path(server.data_dir()) / "files" / "tmp";

  // Announced too large: refused before the body is read.
  auto res = student_a.Upload("big.pdf", kPdf, Bytes((64 << 10) + 1));
  EXPECT_EQ(res.result_int(), 413) << res.body();
  EXPECT_EQ(Reason(res), "file_too_large");
  // Chunked, so only found out while streaming.
  ChunkedUpload upload(server.port(), student_a.token, "big.pdf", kPdf);
  upload.Chunk(Bytes(40 << 10));
  upload.Chunk(Bytes(40 << 10, 'c'));
  res = upload.Finish();
  EXPECT_EQ(res.result_int(), 413) << res.body();
  EXPECT_EQ(Reason(res), "file_too_large");
  EXPECT_EQ(FilesIn(tmp), 0u);  // the partial upload is gone

  // The user's quota: 60 KiB fits, another 60 KiB does not.
  student_a.UploadOk("one.pdf", kPdf, Bytes(60 << 10));
  res = student_a.Upload("two.pdf", kPdf, Bytes(60 << 10, 'd'));
  EXPECT_EQ(res.result_int(), 413) << res.body();
  EXPECT_EQ(Reason(res), "quota_exceeded");
  student_a.UploadOk("small.pdf", kPdf, Bytes(30 << 10, 'e'));  // what is left still fits

  // Types: not on the list; on the list but named as something else.
  res = student_a.Upload("drawing.svg", "image/svg+xml", "<svg/>");
  EXPECT_EQ(res.result_int(), 415) << res.body();
  EXPECT_EQ(Reason(res), "type_not_allowed");
  res = student_a.Upload("essay.exe", kPdf, "%PDF");
  EXPECT_EQ(res.result_int(), 415) << res.body();
  EXPECT_EQ(Reason(res), "type_not_allowed");
  res = student_a.Upload("empty.txt", "text/plain; charset=utf-8", "");
  EXPECT_EQ(res.result_int(), 400) << res.body();
  EXPECT_EQ(Reason(res), "empty_file");
  res = student_a.Upload("", kPdf, "%PDF");
  EXPECT_EQ(res.result_int(), 400) << res.body();
  EXPECT_EQ(Reason(res), "invalid_name");
  // Guardians upload nothing.
  EXPECT_EQ(guardian_a.Upload("a.pdf", kPdf, "%PDF").result_int(), 403);
  // Anonymous: refused before a byte of the body is read.
  res = server.Client().Send(bhttp::verb::post, "/api/v1/files?name=a.pdf", "%PDF",
                             {{"Content-Type", kPdf}});
  EXPECT_EQ(res.result_int(), 401);

  EXPECT_EQ(metrics.CounterValue("homeroom_coursework_uploads_total", {{"result", "stored"}}), 2u);
  EXPECT_EQ(
      metrics.CounterValue("homeroom_coursework_uploads_total", {{"result", "file_too_large"}}),
      2u);
  EXPECT_EQ(
      metrics.CounterValue("homeroom_coursework_uploads_total", {{"result", "quota_exceeded"}}),
      1u);
  EXPECT_EQ(
      metrics.CounterValue("homeroom_coursework_uploads_total", {{"result", "type_not_allowed"}}),
      2u);
}

TEST(Coursework, StudentsResubmitUntilTheDueDateAndWorkAfterItIsLate) {
  TestServer server;
  Caller teacher_a{server, server.Login("teacher_a")};
  Caller student_a{server, server.Login("student_a")};
  Caller student_b{server, server.Login("student_b")};
  Caller guardian_a{server, server.Login("guardian_a")};

  int64_t open = teacher_a.CreateAssignment(10, Future(7));
  const std::string submit = fmt::format("/api/v1/assignments/{}/submission", open);
  int64_t essay = student_a.UploadOk("essay.pdf", kPdf, "%PDF my essay");
  auto first = student_a.Json(bhttp::verb::put, submit, 200,
                              fmt::format(R"({{"text":"Draft","file_ids":[{}]}})", essay));
  EXPECT_FALSE(first.at("late").as_bool());
  EXPECT_EQ(first.at("files").as_array().size(), 1u);
  auto second = student_a.Json(bhttp::verb::put, submit, 200, R"({"text":"Final"})");
  EXPECT_EQ(second.at("id"), first.at("id"));  // replaced, not added
  EXPECT_EQ(second.at("files").as_array().size(), 0u);
  auto mine = student_a.Json(bhttp::verb::get, submit, 200);
  EXPECT_EQ(mine.at("text").as_string(), "Final");

  // Nothing at all, another student's file, a student of another section, a guardian.
  auto res = student_a.Send(bhttp::verb::put, submit, R"({"text":""})");
  EXPECT_EQ(res.result_int(), 400) << res.body();
  int64_t theirs = student_b.UploadOk("theirs.pdf", kPdf, "%PDF not mine");
  res = student_a.Send(bhttp::verb::put, submit, fmt::format(R"({{"file_ids":[{}]}})", theirs));
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_EQ(Reason(res), "not_your_file");
  EXPECT_EQ(student_b.Send(bhttp::verb::put, submit, R"({"text":"x"})").result_int(), 403);
  EXPECT_EQ(guardian_a.Send(bhttp::verb::put, submit, R"({"text":"x"})").result_int(), 403);

  // Past its due date: a first submission is taken and flagged late; replacing it is refused.
  int64_t closed =
      teacher_a.CreateAssignment(10, FormatIsoUtc(SystemClock::Instance().NowMs() - 3'600'000));
  const std::string late_url = fmt::format("/api/v1/assignments/{}/submission", closed);
  auto late = student_a.Json(bhttp::verb::put, late_url, 200, R"({"text":"Sorry, late"})");
  EXPECT_TRUE(late.at("late").as_bool());
  res = student_a.Send(bhttp::verb::put, late_url, R"({"text":"Better"})");
  EXPECT_EQ(res.result_int(), 409) << res.body();
  EXPECT_EQ(Reason(res), "past_due");
  EXPECT_EQ(server.app().metrics().CounterValue("homeroom_coursework_submissions_total",
                                                {{"late", "true"}}),
            1u);
  EXPECT_EQ(server.app().metrics().CounterValue("homeroom_coursework_submissions_total",
                                                {{"late", "false"}}),
            2u);
}

TEST(Coursework, TheTeacherGradesFromTheQueueAndTheStudentAndOnlyTheirGuardianSeeTheGrade) {
  TestServer server;
  Caller teacher_a{server, server.Login("teacher_a")};
  Caller teacher_b{server, server.Login("teacher_b")};
  Caller student_a{server, server.Login("student_a")};
  Caller student_b{server, server.Login("student_b")};
  Caller guardian_a{server, server.Login("guardian_a")};
  Caller guardian_b{server, server.Login("guardian_b")};

  int64_t id = teacher_a.CreateAssignment(10, Future(2));
  int64_t work = student_a.UploadOk("work.pdf", kPdf, "%PDF my work");
  auto sub = student_a.Json(bhttp::verb::put, fmt::format("/api/v1/assignments/{}/submission", id),
                            200, fmt::format(R"({{"text":"Done","file_ids":[{}]}})", work));
  const int64_t sub_id = sub.at("id").as_int64();

  auto queue = teacher_a.Json(bhttp::verb::get, "/api/v1/me/to-grade", 200);
  ASSERT_EQ(queue.at("items").as_array().size(), 1u);
  EXPECT_EQ(queue.at("items").at(0).at("id").as_int64(), sub_id);
  EXPECT_EQ(queue.at("items").at(0).at("assignment").at("title").as_string(), "Essay");
  EXPECT_EQ(
      teacher_b.Json(bhttp::verb::get, "/api/v1/me/to-grade", 200).at("items").as_array().size(),
      0u);
  auto all =
      teacher_a.Json(bhttp::verb::get, fmt::format("/api/v1/assignments/{}/submissions", id), 200);
  EXPECT_EQ(all.at("items").as_array().size(), 1u);

  // The submitted file: the teacher and the guardian read it; other families and teachers do not.
  const std::string file_url = fmt::format("/api/v1/files/{}", work);
  EXPECT_EQ(teacher_a.Send(bhttp::verb::get, file_url).body(), "%PDF my work");
  EXPECT_EQ(guardian_a.Send(bhttp::verb::get, file_url).result_int(), 200);
  EXPECT_EQ(guardian_b.Send(bhttp::verb::get, file_url).result_int(), 404);
  EXPECT_EQ(teacher_b.Send(bhttp::verb::get, file_url).result_int(), 404);
  EXPECT_EQ(student_b.Send(bhttp::verb::get, file_url).result_int(), 404);

  const std::string grade = fmt::format("/api/v1/submissions/{}/grade", sub_id);
  EXPECT_EQ(teacher_a.Send(bhttp::verb::put, grade, R"({"score":11,"comment":"x"})").result_int(),
            400);  // over the assignment's 10 points
  EXPECT_EQ(teacher_b.Send(bhttp::verb::put, grade, R"({"score":5})").result_int(), 403);
  EXPECT_EQ(student_a.Send(bhttp::verb::put, grade, R"({"score":10})").result_int(), 403);
  auto graded =
      teacher_a.Json(bhttp::verb::put, grade, 200, R"({"score":8.5,"comment":"Good work"})");
  EXPECT_EQ(graded.at("grade").at("score").as_double(), 8.5);
  EXPECT_EQ(
      teacher_a.Json(bhttp::verb::get, "/api/v1/me/to-grade", 200).at("items").as_array().size(),
      0u);
  EXPECT_EQ(server.app().metrics().CounterValue("homeroom_coursework_grades_total"), 1u);

  const std::string work_url =
      fmt::format("/api/v1/students/{}/coursework", server.Id("student_a"));
  for (Caller* who : {&student_a, &guardian_a, &teacher_a}) {
    auto seen = who->Json(bhttp::verb::get, work_url, 200);
    ASSERT_EQ(seen.at("items").as_array().size(), 1u);
    const auto& g = seen.at("items").at(0).at("submission").at("grade");
    EXPECT_EQ(g.at("score").as_double(), 8.5);
    EXPECT_EQ(g.at("comment").as_string(), "Good work");
  }
  for (Caller* who : {&guardian_b, &student_b, &teacher_b}) {
    EXPECT_EQ(who->Send(bhttp::verb::get, work_url).result_int(), 404);
  }
}

}  // namespace
}  // namespace homeroom::testing

namespace homeroom::testing {
namespace {

// A student enrolled in two schools: each school's admin sees the work of their own school's
// sections only; the district sees both.
TEST(Coursework, ASchoolAdminSeesOnlyTheirSchoolsWorkOfAStudentOfTwoSchools) {
  TestServer server;
  Status enrolled = server.app().db().WriteSync([](sql::Connection& c) {
    return c.Exec(
        "INSERT INTO user_orgs (user_id, org_id) VALUES (100, 3);"
        "INSERT INTO enrollments (id, sourced_id, section_id, user_id, role, is_primary,"
        " updated_ms) VALUES (9, 'e9', 20, 100, 'student', 0, 0);");
  });
  ASSERT_TRUE(enrolled.ok()) << enrolled.ToString();
  ApiUser teacher_a{server, server.Login("teacher_a")};
  ApiUser teacher_b{server, server.Login("teacher_b")};
  const std::string body =
      R"({"title":"Essay","instructions":"One page.","due_at":"2099-01-01T12:00:00Z","points":5})";
  teacher_a.Json(bhttp::verb::post, "/api/v1/sections/10/assignments", 201, body);
  teacher_b.Json(bhttp::verb::post, "/api/v1/sections/20/assignments", 201, body);

  auto sections_seen = [&](const std::string& who) {
    ApiUser user{server, server.Login(who)};
    std::vector<int64_t> out;
    auto work = user.Get("/api/v1/students/100/coursework");  // named: the loop reads into it
    for (const auto& item : work.at("items").as_array()) {
      out.push_back(item.at("section_id").as_int64());
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(sections_seen("admin_a"), (std::vector<int64_t>{10}));
  EXPECT_EQ(sections_seen("admin_b"), (std::vector<int64_t>{20}));
  EXPECT_EQ(sections_seen("district"), (std::vector<int64_t>{10, 20}));
  EXPECT_EQ(sections_seen("teacher_b"), (std::vector<int64_t>{20}));
}

}  // namespace
}  // namespace homeroom::testing
