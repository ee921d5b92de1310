#include "roster/values.h"

#include <array>
#include <cctype>

namespace homeroom::roster {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

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

template <size_t N>
bool OneOf(std::string_view v, const std::array<std::string_view, N>& values) {
  for (std::string_view x : values) {
    if (v == x) return true;
  }
  return false;
}

}  // namespace

bool ParseGrade(std::string_view code, std::optional<int>* level) {
  if (code == "PK" || code == "TK" || code == "PS") {
    *level = -1;
    return true;
  }
  if (code == "KG") {
    *level = 0;
    return true;
  }
  if (code == "Other") {
    *level = std::nullopt;
    return true;
  }
  int n = 0;
  if ((code.size() == 1 && Digits(code, 0, 1, &n)) ||
      (code.size() == 2 && Digits(code, 0, 2, &n))) {
    if (n >= 1 && n <= 13) {
      *level = n;
      return true;
    }
  }
  return false;
}

bool ParseBool(std::string_view text, bool* value) {
  if (text == "1" || EqualsIgnoreCase(text, "true")) {
    *value = true;
    return true;
  }
  if (text == "0" || EqualsIgnoreCase(text, "false")) {
    *value = false;
    return true;
  }
  return false;
}

bool IsValidDate(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &m) || !Digits(s, 8, 2, &d)) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

bool IsValidDateTime(std::string_view s) {
  if (s.size() < 10 || !IsValidDate(s.substr(0, 10))) return false;
  if (s.size() == 10) return true;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  int hh, mm, ss;
  size_t p = 11;
  if (!Digits(s, p, 2, &hh) || p + 2 >= s.size() || s[p + 2] != ':' || !Digits(s, p + 3, 2, &mm)) {
    return false;
  }
  if (hh > 23 || mm > 59) return false;
  p += 5;
  if (p < s.size() && s[p] == ':') {
    if (!Digits(s, p + 1, 2, &ss) || ss > 60) return false;
    p += 3;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      size_t q = p + 1;
      while (q < s.size() && s[q] >= '0' && s[q] <= '9') ++q;
      if (q == p + 1) return false;
      p = q;
    }
  }
  if (p == s.size()) return true;
  if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) return true;
  if (s[p] != '+' && s[p] != '-') return false;
  std::string_view off = s.substr(p + 1);
  int oh, om;
  if (off.size() == 2) return Digits(off, 0, 2, &oh) && oh <= 23;
  if (off.size() == 4)
    return Digits(off, 0, 2, &oh) && Digits(off, 2, 2, &om) && oh <= 23 && om <= 59;
  if (off.size() == 5 && off[2] == ':') {
    return Digits(off, 0, 2, &oh) && Digits(off, 3, 2, &om) && oh <= 23 && om <= 59;
  }
  return false;
}

bool IsOrgType(std::string_view v) {
  static constexpr std::array<std::string_view, 6> k = {"district", "school", "department",
                                                        "local",    "state",  "national"};
  return OneOf(v, k);
}

bool IsSessionType(std::string_view v) {
  static constexpr std::array<std::string_view, 4> k = {"schoolYear", "semester", "term",
                                                        "gradingPeriod"};
  return OneOf(v, k);
}

bool IsClassType(std::string_view v) { return v == "homeroom" || v == "scheduled"; }

bool IsUserRole(std::string_view v) {
  static constexpr std::array<std::string_view, 8> k = {
      "administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"};
  return OneOf(v, k);
}

bool IsEnrollmentRole(std::string_view v) {
  static constexpr std::array<std::string_view, 4> k = {"student", "teacher", "administrator",
                                                        "proctor"};
  return OneOf(v, k);
}

std::string MapUserRole(std::string_view r, bool in_district_org) {
  if (r == "student") return "student";
  if (r == "teacher" || r == "aide" || r == "proctor") return "teacher";
  if (r == "guardian" || r == "parent" || r == "relative") return "guardian";
  if (r == "administrator") return in_district_org ? "district_admin" : "school_admin";
  return "";
}

std::string UsernameKey(std::string_view username) {
  std::string key(username);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

}  // namespace homeroom::roster
