#include "domain/external_report.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>

namespace homeroom::domain {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// UTF-16 (after its byte order mark) to UTF-8; kInvalidArgument for a broken surrogate pair.
Result<std::string> FromUtf16(std::string_view bytes, bool little_endian) {
  if (bytes.size() % 2 != 0) return Status::InvalidArgument("the UTF-16 text has an odd length");
  std::string out;
  out.reserve(bytes.size() / 2);
  auto unit = [&](size_t i) -> uint32_t {
    auto lo = static_cast<unsigned char>(bytes[i + (little_endian ? 0 : 1)]);
    auto hi = static_cast<unsigned char>(bytes[i + (little_endian ? 1 : 0)]);
    return (hi << 8) | lo;
  };
  for (size_t i = 0; i < bytes.size(); i += 2) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= bytes.size()) return Status::InvalidArgument("the UTF-16 text is cut short");
      uint32_t low = unit(i + 2);
      if (low < 0xDC00 || low > 0xDFFF) {
        return Status::InvalidArgument("the UTF-16 text has a broken surrogate pair");
      }
      AppendUtf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return Status::InvalidArgument("the UTF-16 text has a broken surrogate pair");
    } else {
      AppendUtf8(out, u);
    }
  }
  return out;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

Result<std::string> Decode(std::string_view bytes) {
  if (bytes.size() >= 2 && bytes[0] == '\xFF' && bytes[1] == '\xFE') {
    return FromUtf16(bytes.substr(2), /*little_endian=*/true);
  }
  if (bytes.size() >= 2 && bytes[0] == '\xFE' && bytes[1] == '\xFF') {
    return FromUtf16(bytes.substr(2), /*little_endian=*/false);
  }
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (!ValidUtf8(bytes)) {
    return Status::InvalidArgument(
        "the report is neither UTF-8 nor UTF-16 with a byte order mark: export it again as CSV");
  }
  return std::string(bytes);
}

// Rows of fields (RFC 4180 quoting; a quoted field may hold the delimiter, quotes and line
// breaks), each with the line it starts on.
struct Row {
  int line = 0;
  std::vector<std::string> fields;
};

Result<std::vector<Row>> SplitRows(std::string_view text, char delimiter) {
  std::vector<Row> rows;
  Row row{1, {}};
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, quote_line = 0;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    rows.push_back(std::move(row));
    row = Row{line, {}};
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
      quote_line = line;
    } else if (c == delimiter) {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;  // the \n ends the row
    } else if (c == '\n' || c == '\r') {
      ++line;
      end_row();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) {
    return Status::InvalidArgument("line " + std::to_string(quote_line) +
                                   ": a quoted field is never closed");
  }
  if (field_started || !row.fields.empty()) end_row();
  return rows;
}

bool Blank(const Row& row) {
  return std::all_of(row.fields.begin(), row.fields.end(),
                     [](const std::string& f) { return Trim(f).empty(); });
}

constexpr std::array<std::string_view, 3> kEmailHeaders = {"user email", "email", "email address"};
constexpr std::string_view kUpnHeader = "participant id (upn)";
constexpr std::array<std::string_view, 4> kNameHeaders = {"name (original name)", "name",
                                                          "full name", "participant"};
constexpr std::array<std::string_view, 6> kDurationHeaders = {
    "duration (minutes)",  "duration (mins)",     "total duration (minutes)",
    "in-meeting duration", "attendance duration", "duration"};

template <size_t N>
int FindColumn(const std::vector<std::string>& header,
               const std::array<std::string_view, N>& names) {
  for (std::string_view name : names) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (Lower(Trim(header[i])) == name) return static_cast<int>(i);
    }
  }
  return -1;
}

// The rows and where the participants' table is in them.
struct Table {
  std::vector<Row> rows;
  size_t header_at = 0;  // rows.size(): none found
  int email_col = -1, upn_col = -1, name_col = -1, duration_col = -1;
  bool original_names = false;  // the name column is Zoom's "Name (Original Name)"
};

// Rows searched for the header (Teams' summary comes first; a header is never far down).
constexpr size_t kMaxHeaderSearchRows = 50;

// Finds the first row naming a participant column and a duration column. A meeting summary row
// (Zoom's "Meeting ID, Topic, ..., User Email, Duration (Minutes)" above the participants) is not
// the participants' header. Returns whether one was found.
bool FindHeader(Table& t) {
  t.header_at = t.rows.size();
  for (size_t r = 0; r < t.rows.size() && r < kMaxHeaderSearchRows; ++r) {
    const auto& h = t.rows[r].fields;
    if (FindColumn(h, std::array<std::string_view, 2>{"meeting id", "topic"}) >= 0) continue;
    int email = FindColumn(h, kEmailHeaders);
    int upn = FindColumn(h, std::array<std::string_view, 1>{kUpnHeader});
    int name = FindColumn(h, kNameHeaders);
    int duration = FindColumn(h, kDurationHeaders);
    if (duration >= 0 && (email >= 0 || upn >= 0 || name >= 0)) {
      t.header_at = r;
      t.email_col = email;
      t.upn_col = upn;
      t.name_col = name;
      t.duration_col = duration;
      t.original_names = name >= 0 && Lower(Trim(h[name])) == "name (original name)";
      return true;
    }
  }
  return false;
}

}  // namespace

int64_t ParseDurationSeconds(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return -1;
  auto number = [](std::string_view digits) -> int64_t {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || end != digits.data() + digits.size() || v < 0 || v > 1'000'000) {
      return -1;
    }
    return v;
  };
  if (text.find(':') != std::string_view::npos) {  // hh:mm:ss or mm:ss
    std::vector<int64_t> parts;
    while (true) {
      size_t colon = text.find(':');
      int64_t v = number(text.substr(0, colon));
      if (v < 0) return -1;
      parts.push_back(v);
      if (colon == std::string_view::npos) break;
      text.remove_prefix(colon + 1);
    }
    if (parts.size() == 2) return parts[0] * 60 + parts[1];
    if (parts.size() == 3) return parts[0] * 3600 + parts[1] * 60 + parts[2];
    return -1;
  }
  if (std::isdigit(static_cast<unsigned char>(text.back()))) {  // whole minutes
    int64_t minutes = number(text);
    return minutes < 0 ? -1 : minutes * 60;
  }
  // "1h 5m 3s", "35m 10s", "45 min", "2 hr"
  int64_t total = 0;
  bool any = false;
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == 0) return -1;
    int64_t v = number(text.substr(0, digits));
    if (v < 0) return -1;
    text = Trim(text.substr(digits));
    size_t letters = 0;
    while (letters < text.size() && std::isalpha(static_cast<unsigned char>(text[letters]))) {
      ++letters;
    }
    std::string unit = Lower(text.substr(0, letters));
    text = Trim(text.substr(letters));
    if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours") {
      total += v * 3600;
    } else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minute" ||
               unit == "minutes") {
      total += v * 60;
    } else if (unit == "s" || unit == "sec" || unit == "secs" || unit == "second" ||
               unit == "seconds") {
      total += v;
    } else {
      return -1;
    }
    any = true;
  }
  return any ? total : -1;
}

Result<ParsedReport> ParseExternalReport(std::string_view bytes,
                                         const ExternalReportLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return Status::PayloadTooLarge("the report is larger than " + std::to_string(limits.max_bytes) +
                                   " bytes");
  }
  HR_ASSIGN_OR_RETURN(std::string text, Decode(bytes));
  // Tab-separated (Teams) or comma-separated (Zoom and most others): whichever has the header.
  Table table;
  for (char delimiter : {'\t', ','}) {
    HR_ASSIGN_OR_RETURN(table.rows, SplitRows(text, delimiter));
    if (FindHeader(table)) break;
  }
  if (table.header_at == table.rows.size()) {
    return Status::InvalidArgument(
        "no header row with a participant column and a duration column (e.g. Zoom's \"User "
        "Email\" and \"Duration (Minutes)\", Teams' \"Email\" and \"In-Meeting Duration\")");
  }
  const std::vector<Row>& rows = table.rows;
  const size_t header_at = table.header_at;
  const int email_col = table.email_col, upn_col = table.upn_col, name_col = table.name_col,
            duration_col = table.duration_col;

  ParsedReport out;
  std::map<std::string, size_t> index;  // identity -> participant
  auto field = [](const Row& row, int col) -> std::string {
    if (col < 0 || static_cast<size_t>(col) >= row.fields.size()) return "";
    return std::string(Trim(row.fields[col]));
  };
  for (size_t r = header_at + 1; r < rows.size(); ++r) {
    const Row& row = rows[r];
    if (Blank(row)) break;  // the end of the table (Teams: the next section follows)
    if (++out.rows > limits.max_rows) {
      return Status::InvalidArgument("the report has more than " + std::to_string(limits.max_rows) +
                                     " rows");
    }
    std::string duration = field(row, duration_col);
    int64_t seconds = ParseDurationSeconds(duration);
    if (seconds < 0) {
      return Status::InvalidArgument("line " + std::to_string(row.line) + ": duration \"" +
                                     duration + "\" is not minutes, h m s or hh:mm:ss");
    }
    std::string email = Lower(field(row, email_col));
    if (email.empty()) email = Lower(field(row, upn_col));
    std::string name = field(row, name_col);
    // Zoom's "Name (Original Name)": "Ana P (Ana Pierre)" -> the original name in parentheses.
    // (Only there: Teams' "Ana Pierre (Guest)" is a name with a label.)
    size_t open = table.original_names ? name.rfind(" (") : std::string::npos;
    if (open != std::string::npos && name.back() == ')') {
      name = name.substr(open + 2, name.size() - open - 3);
    }
    if (email.empty() && name.empty()) continue;  // a row without anyone in it
    std::string key = email.empty() ? "name:" + Lower(name) : email;
    auto [it, inserted] = index.try_emplace(key, out.participants.size());
    if (inserted) out.participants.push_back({name, email, 0});
    out.participants[it->second].seconds += seconds;
  }
  return out;
}

}  // namespace homeroom::domain
