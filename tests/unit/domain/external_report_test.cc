#include "domain/external_report.h"

#include <gtest/gtest.h>

#include "domain/external_attendance.h"

namespace homeroom::domain {
namespace {

// UTF-16LE with its byte order mark, as Teams exports.
std::string Utf16Le(const std::string& ascii) {
  std::string out = "\xFF\xFE";
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

TEST(ExternalReport, DurationsInEveryFormThePlatformsUse) {
  EXPECT_EQ(ParseDurationSeconds("35"), 35 * 60);
  EXPECT_EQ(ParseDurationSeconds("1h 5m 3s"), 3903);
  EXPECT_EQ(ParseDurationSeconds("42m 10s"), 2530);
  EXPECT_EQ(ParseDurationSeconds("45 min"), 2700);
  EXPECT_EQ(ParseDurationSeconds("00:35:10"), 2110);
  EXPECT_EQ(ParseDurationSeconds("35:10"), 2110);
  EXPECT_EQ(ParseDurationSeconds("abc"), -1);
  EXPECT_EQ(ParseDurationSeconds("5 parsecs"), -1);
  EXPECT_EQ(ParseDurationSeconds(""), -1);
  EXPECT_EQ(ParseDurationSeconds("-5"), -1);
}

TEST(ExternalReport, AZoomParticipantsCsvSumsEachPersonsJoins) {
  std::string csv =
      "\xEF\xBB\xBFName (Original Name),User Email,Join Time,Leave Time,Duration "
      "(Minutes),Guest\r\n"
      "Ana P (Ana Pierre),ana.pierre@district.example,09:01,09:20,19,No\r\n"
      "\"Diaz, Bruno\",,09:02,09:40,38,Yes\r\n"
      "Ana P (Ana Pierre),ANA.PIERRE@district.example,09:25,09:44,19,No\r\n";
  auto r = ParseExternalReport(csv, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 3);
  ASSERT_EQ(r->participants.size(), 2u);
  EXPECT_EQ(r->participants[0].name, "Ana Pierre");
  EXPECT_EQ(r->participants[0].email, "ana.pierre@district.example");
  EXPECT_EQ(r->participants[0].seconds, 38 * 60);
  EXPECT_EQ(r->participants[1].name, "Diaz, Bruno");
}

TEST(ExternalReport, ATeamsReportInUtf16FindsItsTableAfterTheSummary) {
  std::string tsv =
      "1. Summary\n"
      "Meeting title\tGrade 3 Homeroom\n"
      "\n"
      "2. Participants\n"
      "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
      "Tess Adams\t9:00\t9:45\t45m\ttess@district.example\ttess@district.example\tOrganizer\n"
      "Ana Pierre\t9:03\t9:40\t37m 12s\t\tstudent_a@district.example\tAttendee\n"
      "\n"
      "3. In-Meeting Activities\n"
      "Name\tJoin Time\tLeave Time\tDuration\n";
  auto r = ParseExternalReport(Utf16Le(tsv), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->participants.size(), 2u);
  EXPECT_EQ(r->participants[1].email, "student_a@district.example");  // from the UPN
  EXPECT_EQ(r->participants[1].seconds, 37 * 60 + 12);
}

TEST(ExternalReport, WhatCannotBeReadIsRefusedSayingWhere) {
  auto no_header = ParseExternalReport("a,b,c\n1,2,3\n", {});
  EXPECT_EQ(no_header.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_header.status().message().find("Duration (Minutes)"), std::string::npos);

  auto bad = ParseExternalReport("Name,Duration\nAna,12\nBen,soon\n", {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("line 3"), std::string::npos) << bad.status().message();

  EXPECT_EQ(ParseExternalReport("Name,Duration\n\xC3\x28,1\n", {}).status().code(),
            StatusCode::kInvalidArgument);  // not UTF-8
  EXPECT_EQ(ParseExternalReport(std::string(100, 'x'), {.max_bytes = 10}).status().code(),
            StatusCode::kPayloadTooLarge);
  EXPECT_EQ(ParseExternalReport("Name,Duration\na,1\nb,1\nc,1\n", {.max_rows = 2}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ExternalReport, ZoomsExportWithMeetingDataSkipsTheMeetingRow) {
  std::string csv =
      "Meeting ID,Topic,Start Time,User Email,Duration (Minutes),Participants\n"
      "812 3456 7890,Grade 3,09:00,tess@district.example,45,3\n"
      "\n"
      "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
      "Ana (Ana Pierre),ana@district.example,09:01,09:40,39,No\n";
  auto r = ParseExternalReport(csv, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->participants.size(), 1u);
  EXPECT_EQ(r->participants[0].name, "Ana Pierre");
}

TEST(ExternalReport, ALabelInParenthesesIsPartOfTheNameOutsideZoomsOriginalNames) {
  auto r = ParseExternalReport("Name,Duration\nAna Pierre (Guest),20\nBen Diaz (Guest),10\n", {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->participants.size(), 2u);  // two people, not one "Guest"
  EXPECT_EQ(r->participants[0].name, "Ana Pierre (Guest)");
}

TEST(ExternalReport, AnUnclosedQuoteIsRefusedNamingItsLine) {
  auto r = ParseExternalReport("Name,Duration\nAna,20\n\"Ben,10\nCara,5\n", {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
}

TEST(ExternalAttendance, AnAddressOutsideTheDistrictOrSharedByTwoStudentsMatchesNobody) {
  std::vector<store::MatchableStudent> students = {
      {100, "jsmith", "Jo", "Smith", std::string("jsmith@district.example")},
      {101, "twin1", "Al", "Roe", std::string("family@district.example")},
      {102, "twin2", "Bo", "Roe", std::string("family@district.example")},
  };
  std::vector<ReportParticipant> report = {
      {"", "jsmith@gmail.com", 600},         // a parent's address, not the student
      {"", "family@district.example", 600},  // two students share it
      {"", "jsmith@district.example", 300},  // the student
  };
  Reconciliation r = MatchParticipants(report, students);
  ASSERT_EQ(r.matched.size(), 1u);
  EXPECT_EQ(r.matched[0].student.id, 100);
  EXPECT_EQ(r.matched[0].seconds, 300);
  EXPECT_EQ(r.unmatched.size(), 2u);
}

TEST(ExternalAttendance, ParticipantsMatchByEmailThenUsernameThenAnUnambiguousName) {
  std::vector<store::MatchableStudent> students = {
      {100, "student_a", "Ana", "Pierre", std::nullopt},
      {101, "bruno", "Bruno", "Diaz", std::string("Bruno.Diaz@district.example")},
      {102, "c1", "Chris", "Lee", std::nullopt},
      {103, "c2", "Chris", "Lee", std::nullopt},
  };
  std::vector<ReportParticipant> report = {
      {"", "bruno.diaz@district.example", 600},       // email
      {"Ana P", "student_a@district.example", 1200},  // username from the email
      {"ana pierre", "", 300},                        // name; summed with the line above
      {"Chris Lee", "", 900},                         // two students of that name
      {"Tess Adams", "tess@district.example", 2700},  // the teacher
  };
  Reconciliation r = MatchParticipants(report, students);
  ASSERT_EQ(r.matched.size(), 2u);
  EXPECT_EQ(r.matched[0].student.id, 101);
  EXPECT_EQ(r.matched[0].matched_by, "email");
  EXPECT_EQ(r.matched[1].student.id, 100);
  EXPECT_EQ(r.matched[1].matched_by, "username");
  EXPECT_EQ(r.matched[1].seconds, 1500);
  ASSERT_EQ(r.unmatched.size(), 2u);
  EXPECT_EQ(r.unmatched[0].name, "Chris Lee");
  EXPECT_EQ(r.unmatched[1].name, "Tess Adams");
}

}  // namespace
}  // namespace homeroom::domain
