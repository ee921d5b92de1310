#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace homeroom::domain {

// The district's time zone, through Howard Hinnant's date/tz over the system tzdata. School days
// and schedules are local to the district; the machine's own zone is never used. A loaded zone is
// immutable and thread-safe.
class DistrictZone {
 public:
  // Loads an IANA zone ("America/New_York"). kInvalidArgument when the name is unknown.
  static Result<DistrictZone> Load(const std::string& name);

  const std::string& name() const { return name_; }
  // The UTC instant of a local date and time; a time skipped by a DST change maps to the instant
  // of the change, and a repeated one to its first occurrence.
  int64_t LocalToUtcMs(int year, unsigned month, unsigned day, int minutes_of_day) const;
  // The local wall time of an instant, as minutes since 1970-01-01 00:00 local.
  int64_t UtcMsToLocalMinutes(int64_t utc_ms) const;
  // "2026-09-01T09:00" for an instant, in this zone.
  std::string FormatLocal(int64_t utc_ms) const;
  // The local calendar day of an instant, as days since 1970-01-01.
  int64_t LocalDayOf(int64_t utc_ms) const;
  // The UTC instant of local midnight starting day `days` (since 1970-01-01).
  int64_t StartOfDayMs(int64_t days) const;

 private:
  DistrictZone(std::string name, const void* zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_;
  const void* zone_;  // const date::time_zone*: kept out of this header
};

// A calendar date, validated.
struct LocalDate {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  // Days since 1970-01-01 (proleptic Gregorian), and back.
  int64_t DaysSinceEpoch() const;
  static LocalDate FromDaysSinceEpoch(int64_t days);
  std::string ToString() const;  // "2026-09-01"
};

// Parses "YYYY-MM-DD". kInvalidArgument naming `what` when malformed or not a real date.
Result<LocalDate> ParseLocalDate(std::string_view text, std::string_view what);
// Parses "HH:MM" (00:00..23:59) into minutes of the day. kInvalidArgument naming `what`.
Result<int> ParseLocalTime(std::string_view text, std::string_view what);
// "09:05" for 545.
std::string FormatLocalTime(int minutes_of_day);

// Parses an instant: ISO 8601 with an offset ("2026-09-01T09:00:00-04:00", "...Z", optional
// seconds and fraction), or a local date and time without offset ("2026-09-01T09:00"), which is
// read in `zone`. A bare date ("2026-09-01") is local midnight. kInvalidArgument naming `what`.
Result<int64_t> ParseInstant(std::string_view text, const DistrictZone& zone,
                             std::string_view what);

// Days of the week as the API spells them: "sun", "mon", ... "sat" (bit 0 = Sunday).
Result<uint8_t> ParseWeekdays(const std::vector<std::string>& days);
std::string FormatWeekdays(uint8_t mask);  // "mon,wed"

// A weekly recurring period in local time.
struct WeeklyPattern {
  uint8_t weekdays = 0;  // bit 0 = Sunday
  int start_minute = 0;  // minutes of the local day
  int end_minute = 0;    // > start_minute (a period does not cross midnight)
  LocalDate from;        // first day, inclusive
  LocalDate until;       // last day, inclusive
};

struct Occurrence {
  int64_t starts_ms = 0;
  int64_t ends_ms = 0;
};

// Every occurrence of `pattern` in `zone`, in order. Each local start and end is converted on its
// own day, so a DST change keeps the local time (09:00 stays 09:00). kInvalidArgument when the
// pattern is empty or inverted, or has more than `max_occurrences` occurrences (the message names
// the limit).
Result<std::vector<Occurrence>> ExpandWeekly(const WeeklyPattern& pattern, const DistrictZone& zone,
                                             size_t max_occurrences);

}  // namespace homeroom::domain
