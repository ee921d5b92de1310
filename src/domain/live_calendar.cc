#include "domain/live_calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>
#include <chrono>
#include <exception>

namespace homeroom::domain {
namespace {

// The day (since 1970-01-01) of a local time in minutes since 1970-01-01 00:00, rounding down.
int64_t DayOfLocalMinutes(int64_t local_minutes) {
  return local_minutes >= 0 ? local_minutes / 1440 : (local_minutes - 1439) / 1440;
}

using std::chrono::milliseconds;
using std::chrono::minutes;

const date::time_zone* Tz(const void* zone) { return static_cast<const date::time_zone*>(zone); }

constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

// Reads exactly `n` digits at `pos`; false when they are not all digits.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

Status Invalid(std::string_view what, std::string_view expected) {
  return Status::InvalidArgument(std::string(what) + " must be " + std::string(expected));
}

}  // namespace

Result<DistrictZone> DistrictZone::Load(const std::string& name) {
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return DistrictZone(name, zone);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("unknown time zone '" + name + "': " + e.what());
  }
}

int64_t DistrictZone::LocalToUtcMs(int year, unsigned month, unsigned day,
                                   int minutes_of_day) const {
  date::local_days d{date::year{year} / date::month{month} / date::day{day}};
  date::local_time<minutes> t = d + minutes(minutes_of_day);
  auto sys = Tz(zone_)->to_sys(t, date::choose::earliest);
  return std::chrono::duration_cast<milliseconds>(sys.time_since_epoch()).count();
}

int64_t DistrictZone::UtcMsToLocalMinutes(int64_t utc_ms) const {
  date::sys_time<milliseconds> sys{milliseconds(utc_ms)};
  auto local = Tz(zone_)->to_local(sys);
  return date::floor<minutes>(local).time_since_epoch().count();
}

std::string DistrictZone::FormatLocal(int64_t utc_ms) const {
  int64_t local_minutes = UtcMsToLocalMinutes(utc_ms);
  int64_t days = DayOfLocalMinutes(local_minutes);
  int minute_of_day = static_cast<int>(local_minutes - days * 1440);
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  LocalDate d{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
              static_cast<unsigned>(ymd.day())};
  return d.ToString() + "T" + FormatLocalTime(minute_of_day);
}

int64_t LocalDate::DaysSinceEpoch() const {
  date::sys_days d{date::year{year} / date::month{month} / date::day{day}};
  return d.time_since_epoch().count();
}

int64_t DistrictZone::LocalDayOf(int64_t utc_ms) const {
  return DayOfLocalMinutes(UtcMsToLocalMinutes(utc_ms));
}

int64_t DistrictZone::StartOfDayMs(int64_t days) const {
  LocalDate d = LocalDate::FromDaysSinceEpoch(days);
  return LocalToUtcMs(d.year, d.month, d.day, 0);
}

LocalDate LocalDate::FromDaysSinceEpoch(int64_t days) {
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

std::string LocalDate::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year, month, day);
  return buf;
}

Result<LocalDate> ParseLocalDate(std::string_view s, std::string_view what) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) ||
      s[7] != '-' || !Digits(s, 8, 2, &d)) {
    return Invalid(what, "a date YYYY-MM-DD");
  }
  date::year_month_day ymd{date::year{y} / date::month{static_cast<unsigned>(m)} /
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1970) return Invalid(what, "a real date YYYY-MM-DD");
  return LocalDate{y, static_cast<unsigned>(m), static_cast<unsigned>(d)};
}

Result<int> ParseLocalTime(std::string_view s, std::string_view what) {
  int h = 0, m = 0;
  if (s.size() != 5 || !Digits(s, 0, 2, &h) || s[2] != ':' || !Digits(s, 3, 2, &m) || h > 23 ||
      m > 59) {
    return Invalid(what, "a local time HH:MM (00:00 to 23:59)");
  }
  return h * 60 + m;
}

std::string FormatLocalTime(int minutes_of_day) {
  int h = (minutes_of_day / 60) % 24, m = minutes_of_day % 60;
  return {static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10), ':',
          static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10)};
}

Result<int64_t> ParseInstant(std::string_view s, const DistrictZone& zone, std::string_view what) {
  constexpr std::string_view kExpected =
      "an ISO 8601 time: 2026-09-01T09:00:00-04:00, 2026-09-01T13:00:00Z, or a local"
      " 2026-09-01T09:00 in the district's time zone";
  auto date = ParseLocalDate(s.substr(0, std::min<size_t>(s.size(), 10)), what);
  if (!date.ok()) return Invalid(what, kExpected);
  if (s.size() == 10) return zone.LocalToUtcMs(date->year, date->month, date->day, 0);
  int h = 0, m = 0, sec = 0, millis = 0;
  if ((s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2, &h) || s.size() < 16 || s[13] != ':' ||
      !Digits(s, 14, 2, &m) || h > 23 || m > 59) {
    return Invalid(what, kExpected);
  }
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &sec) || sec > 59) return Invalid(what, kExpected);
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (pos - start < 3) millis = millis * 10 + (s[pos] - '0');
        ++pos;
      }
      if (pos == start || pos - start > 9) return Invalid(what, kExpected);
      for (size_t n = pos - start; n < 3; ++n) millis *= 10;
    }
  }
  int64_t within_minute_ms = sec * 1000 + millis;
  if (pos == s.size()) {  // local time in the district's zone
    return zone.LocalToUtcMs(date->year, date->month, date->day, h * 60 + m) + within_minute_ms;
  }
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) return Invalid(what, kExpected);
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (s.size() != pos + 6 || !Digits(s, pos + 1, 2, &oh) || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return Invalid(what, kExpected);
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
  } else {
    return Invalid(what, kExpected);
  }
  int64_t local_ms = (date->DaysSinceEpoch() * 1440 + h * 60 + m) * 60'000 + within_minute_ms;
  return local_ms - static_cast<int64_t>(offset_minutes) * 60'000;
}

Result<uint8_t> ParseWeekdays(const std::vector<std::string>& days) {
  uint8_t mask = 0;
  for (const std::string& day : days) {
    bool found = false;
    for (size_t i = 0; i < kDayNames.size(); ++i) {
      if (day == kDayNames[i]) {
        mask |= static_cast<uint8_t>(1u << i);
        found = true;
      }
    }
    if (!found) {
      return Status::InvalidArgument("days must name weekdays: sun, mon, tue, wed, thu, fri, sat");
    }
  }
  if (mask == 0) return Status::InvalidArgument("days must name at least one weekday");
  return mask;
}

std::string FormatWeekdays(uint8_t mask) {
  std::string out;
  // Monday first, as a school week reads.
  for (size_t k = 1; k <= 7; ++k) {
    size_t i = k % 7;
    if (mask & (1u << i)) {
      if (!out.empty()) out += ',';
      out += kDayNames[i];
    }
  }
  return out;
}

Result<std::vector<Occurrence>> ExpandWeekly(const WeeklyPattern& p, const DistrictZone& zone,
                                             size_t max_occurrences) {
  if (p.weekdays == 0) return Status::InvalidArgument("days must name at least one weekday");
  if (p.end_minute <= p.start_minute) {
    return Status::InvalidArgument("end must be after start (a period cannot cross midnight)");
  }
  int64_t first = p.from.DaysSinceEpoch();
  int64_t last = p.until.DaysSinceEpoch();
  if (last < first) return Status::InvalidArgument("until must not be before from");
  std::vector<Occurrence> out;
  for (int64_t day = first; day <= last; ++day) {
    date::sys_days d{date::days{day}};
    unsigned weekday = date::weekday{d}.c_encoding();  // 0 = Sunday
    if (!(p.weekdays & (1u << weekday))) continue;
    if (out.size() == max_occurrences) {
      return Status::InvalidArgument("a weekly series may have at most " +
                                     std::to_string(max_occurrences) +
                                     " occurrences (max_series_occurrences); shorten from..until");
    }
    date::year_month_day ymd{d};
    int y = static_cast<int>(ymd.year());
    unsigned m = static_cast<unsigned>(ymd.month());
    unsigned dd = static_cast<unsigned>(ymd.day());
    out.push_back(
        {zone.LocalToUtcMs(y, m, dd, p.start_minute), zone.LocalToUtcMs(y, m, dd, p.end_minute)});
  }
  if (out.empty()) {
    return Status::InvalidArgument("the series has no occurrence between from and until");
  }
  return out;
}

}  // namespace homeroom::domain
