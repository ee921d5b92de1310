#include "roster/csv_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace homeroom::roster {
namespace {

struct Record {
  int64_t line;
  std::vector<std::string> fields;
};

// Reads every record of `data`, or returns the first error's message in `error`.
std::vector<Record> ReadAll(const std::string& data, std::string* error = nullptr,
                            const CsvLimits& limits = {}) {
  std::vector<Record> out;
  auto reader = CsvReader::FromString(data, "t.csv", limits);
  if (!reader.ok()) {
    if (error) *error = reader.status().message();
    return out;
  }
  while (true) {
    auto next = (*reader)->Next();
    if (!next.ok()) {
      if (error) *error = next.status().message();
      break;
    }
    if (!*next) break;
    Record r{(*reader)->line(), {}};
    for (size_t i = 0; i < (*reader)->field_count(); ++i)
      r.fields.emplace_back((*reader)->Field(i));
    out.push_back(std::move(r));
  }
  return out;
}

TEST(CsvReader, FindsColumnsByHeaderNameInAnyOrder) {
  auto reader = CsvReader::FromString("username,sourcedId,ext_vendor\njdoe,u1,x\n", "users.csv");
  ASSERT_TRUE(reader.ok());
  CsvReader& r = **reader;
  EXPECT_EQ(r.ColumnIndex("sourcedId"), 1u);
  EXPECT_EQ(r.ColumnIndex("username"), 0u);
  EXPECT_FALSE(r.ColumnIndex("email").has_value());
  ASSERT_TRUE(*r.Next());
  EXPECT_EQ(r.Field(r.ColumnIndex("sourcedId")), "u1");
  EXPECT_EQ(r.Field(r.ColumnIndex("email")), "");  // a missing optional column reads as empty
  EXPECT_FALSE(*r.Next());
}

TEST(CsvReader, IgnoresAByteOrderMarkAndAcceptsCrlf) {
  auto records = ReadAll("\xEF\xBB\xBFsourcedId,name\r\no1,Dade\r\no2,Broward\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"o1", "Dade"}));
  EXPECT_EQ(records[1].line, 3);
  auto reader = CsvReader::FromString("\xEF\xBB\xBFsourcedId,name\r\n", "t.csv");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->header()[0], "sourcedId");
}

TEST(CsvReader, UnquotesCommasDoubledQuotesAndLineBreaks) {
  auto records = ReadAll(
      "a,b,c\n"
      "\"Smith, Jr.\",\"say \"\"hi\"\"\",\"two\r\nlines\"\n"
      "x,\"\",\"a\nb\nc\"\n"
      "last,1,2\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].fields,
            (std::vector<std::string>{"Smith, Jr.", "say \"hi\"", "two\r\nlines"}));
  EXPECT_EQ(records[0].line, 2);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"x", "", "a\nb\nc"}));
  EXPECT_EQ(records[1].line, 4);  // the physical line where the record starts
  EXPECT_EQ(records[2].line, 7);
}

TEST(CsvReader, KeepsAQuoteInsideAnUnquotedFieldAsIs) {
  auto records = ReadAll("name\nO\"Brien\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields[0], "O\"Brien");
}

TEST(CsvReader, SkipsBlankLinesButCountsThem) {
  auto records = ReadAll("a,b\n\n1,2\n\r\n\n3,4");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].line, 3);
  EXPECT_EQ(records[1].line, 6);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"3", "4"}));  // no final newline
}

TEST(CsvReader, ReportsShortAndEmptyTrailingFields) {
  auto records = ReadAll("a,b,c\n1,,\n2\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"1", "", ""}));
  EXPECT_EQ(records[1].fields.size(), 1u);
}

TEST(CsvReader, SplitsQuotedListsIntoItems) {
  auto records = ReadAll("orgSourcedIds\n\"s1,s2, s3,\"\n");
  ASSERT_EQ(records.size(), 1u);
  auto items = SplitList(records[0].fields[0]);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], "s1");
  EXPECT_EQ(items[2], "s3");
  EXPECT_TRUE(SplitList("").empty());
  EXPECT_EQ(SplitList("only").size(), 1u);
}

TEST(CsvReader, KeepsNonAsciiNames) {
  auto records = ReadAll("givenName,familyName\nJosé,Jean-Baptiste\nDieudonné,\"Núñez, 王\"\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields[0], "Dieudonné");
  EXPECT_EQ(records[1].fields[1], "Núñez, 王");
}

TEST(CsvReader, RejectsInvalidUtf8WithTheLineAndColumn) {
  std::string error;
  ReadAll("sourcedId,givenName\nu1,Ana\nu2,Jos\xE9\n", &error);  // Latin-1 é
  EXPECT_EQ(error, "t.csv:3: givenName: invalid UTF-8 (save the file as UTF-8)");
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_TRUE(IsValidUtf8("Dieudonn\xC3\xA9 \xF0\x9F\x8E\x93"));
}

TEST(CsvReader, RejectsAnUnclosedQuoteAndTextAfterAClosingQuote) {
  std::string error;
  ReadAll("a,b\n1,\"open\n2,3\n", &error);
  EXPECT_EQ(error, "t.csv:2: b: a quoted field is not closed before the end of the file");
  ReadAll("a,b\n1,\"x\"y\n", &error);
  EXPECT_EQ(
      error,
      "t.csv:2: b: text after a closing quote (quotes inside a quoted field must be doubled)");
}

TEST(CsvReader, EnforcesItsNamedLimits) {
  std::string error;
  ReadAll("a\n" + std::string(20, 'x') + "\n", &error, {.max_field_bytes = 10});
  EXPECT_EQ(error, "t.csv:2: a: field is longer than max_field_bytes (10)");
  ReadAll("a\n\"" + std::string(20, 'x') + "\"\n", &error, {.max_field_bytes = 10});
  EXPECT_EQ(error, "t.csv:2: a: field is longer than max_field_bytes (10)");
  ReadAll("a,b\n1,2,3,4\n", &error, {.max_columns = 3});
  EXPECT_EQ(error, "t.csv:2: column 4: more than max_columns (3) fields in one record");
  auto big = CsvReader::FromString(std::string(100, 'a'), "t.csv", {.max_file_bytes = 50});
  EXPECT_EQ(big.status().code(), StatusCode::kPayloadTooLarge);
  EXPECT_EQ(big.status().message(), "t.csv: file is 100 bytes, over max_file_bytes (50)");
}

TEST(CsvReader, OpensFilesAndStreamsPastItsBuffer) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/big.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "\xEF\xBB\xBFid,name\r\n";
    for (int i = 0; i < 100000; ++i) out << i << ",\"name, " << i << "\"\r\n";
  }
  auto reader = CsvReader::Open(path, "big.csv");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  int64_t n = 0;
  while (true) {
    auto next = (*reader)->Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (!*next) break;
    ASSERT_EQ((*reader)->Field(0), std::to_string(n));
    ASSERT_EQ((*reader)->line(), n + 2);
    ++n;
  }
  EXPECT_EQ(n, 100000);
  EXPECT_EQ(CsvReader::Open(dir.path() + "/missing.csv", "missing.csv").status().code(),
            StatusCode::kNotFound);
}

TEST(CsvReader, RejectsAnEmptyFile) {
  std::string error;
  ReadAll("", &error);
  EXPECT_EQ(error, "t.csv:1: (file): the file is empty (no header)");
}

}  // namespace
}  // namespace homeroom::roster
