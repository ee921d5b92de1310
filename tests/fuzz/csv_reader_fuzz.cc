// Arbitrary bytes as a OneRoster CSV file -> roster::CsvReader. The reader must never crash, never
// read out of bounds, and hand out only fields that are valid UTF-8 and within the limits.
#include <cstddef>
#include <cstdint>
#include <string>

#include "roster/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using homeroom::roster::CsvLimits;
  using homeroom::roster::CsvReader;
  // Small limits so that the fuzzer reaches them.
  const CsvLimits limits{.max_field_bytes = 256, .max_columns = 16, .max_file_bytes = 1 << 16};
  auto reader = CsvReader::FromString(std::string(reinterpret_cast<const char*>(data), size),
                                      "fuzz.csv", limits);
  if (!reader.ok()) return 0;
  CsvReader& r = **reader;
  auto column = r.ColumnIndex("sourcedId");
  int64_t last_line = 0;
  while (true) {
    auto next = r.Next();
    if (!next.ok() || !*next) break;
    if (r.line() <= last_line || r.field_count() > limits.max_columns) __builtin_trap();
    last_line = r.line();
    for (size_t i = 0; i < r.field_count(); ++i) {
      std::string_view f = r.Field(i);
      if (f.size() > limits.max_field_bytes || !homeroom::roster::IsValidUtf8(f)) __builtin_trap();
      for (std::string_view item : homeroom::roster::SplitList(f)) {
        if (item.empty() || item.size() > f.size()) __builtin_trap();
      }
    }
    (void)r.Field(column);
  }
  return 0;
}
