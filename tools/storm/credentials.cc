#include "storm/credentials.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace homeroom::storm {

namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::vector<Account>> FromJson(const std::string& path, const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) {
    return Status::InvalidArgument(path + ": expected a JSON array of {role, username, password}");
  }
  std::vector<Account> accounts;
  for (const auto& item : v.as_array()) {
    const auto* obj = item.if_object();
    if (!obj) return Status::InvalidArgument(path + ": every item must be an object");
    auto str = [&](const char* key) -> std::string {
      const auto* f = obj->if_contains(key);
      return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    Account a{str("role"), str("username"), str("password")};
    if (a.username.empty() || a.password.empty()) {
      return Status::InvalidArgument(path + ": every login needs a username and a password");
    }
    accounts.push_back(std::move(a));
  }
  return accounts;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// The sourcedIds of district orgs in the orgs.csv beside `users_path` (empty when there is none).
std::set<std::string> DistrictOrgs(const std::string& users_path) {
  std::set<std::string> ids;
  auto orgs_path = std::filesystem::path(users_path).parent_path() / "orgs.csv";
  auto text = ReadFile(orgs_path.string());
  if (!text.ok()) return ids;
  auto rows = ParseCsv(*text);
  if (rows.empty()) return ids;
  int id_col = -1, type_col = -1;
  for (size_t i = 0; i < rows[0].size(); ++i) {
    if (rows[0][i] == "sourcedId") id_col = static_cast<int>(i);
    if (rows[0][i] == "type") type_col = static_cast<int>(i);
  }
  if (id_col < 0 || type_col < 0) return ids;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() > static_cast<size_t>(std::max(id_col, type_col)) &&
        row[type_col] == "district") {
      ids.insert(row[id_col]);
    }
  }
  return ids;
}

// userSourcedId -> classSourcedIds from the enrollments.csv beside `users_path`.
std::map<std::string, std::vector<std::string>> ClassesByUser(const std::string& users_path) {
  std::map<std::string, std::vector<std::string>> classes;
  auto path = std::filesystem::path(users_path).parent_path() / "enrollments.csv";
  auto text = ReadFile(path.string());
  if (!text.ok()) return classes;
  auto rows = ParseCsv(*text);
  if (rows.empty()) return classes;
  int class_col = -1, user_col = -1, status_col = -1;
  for (size_t i = 0; i < rows[0].size(); ++i) {
    if (rows[0][i] == "classSourcedId") class_col = static_cast<int>(i);
    if (rows[0][i] == "userSourcedId") user_col = static_cast<int>(i);
    if (rows[0][i] == "status") status_col = static_cast<int>(i);
  }
  if (class_col < 0 || user_col < 0) return classes;
  const size_t needed = static_cast<size_t>(std::max({class_col, user_col, status_col}));
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() <= needed) continue;
    if (status_col >= 0 && !row[status_col].empty() && row[status_col] != "active") continue;
    classes[row[user_col]].push_back(row[class_col]);
  }
  return classes;
}

Result<std::vector<Account>> FromUsersCsv(const std::string& path, const std::string& text) {
  auto rows = ParseCsv(text);
  if (rows.empty()) return Status::InvalidArgument(path + ": empty CSV");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  for (const char* needed : {"username", "role", "password"}) {
    if (!col.count(needed)) {
      return Status::InvalidArgument(path + ": no '" + needed +
                                     "' column (generate the district with --with-passwords)");
    }
  }
  const std::set<std::string> districts = DistrictOrgs(path);
  auto classes = ClassesByUser(path);
  auto cell = [&](const std::vector<std::string>& row, const char* name) -> std::string {
    auto it = col.find(name);
    return it != col.end() && it->second < row.size() ? row[it->second] : std::string();
  };
  std::vector<Account> accounts;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    Account a{cell(row, "role"), cell(row, "username"), cell(row, "password")};
    if (a.username.empty() || a.password.empty()) continue;
    std::string status = cell(row, "status");
    std::string enabled = cell(row, "enabledUser");
    if ((!status.empty() && status != "active") || enabled == "false") continue;
    if (a.role == "aide" || a.role == "proctor") a.role = "teacher";
    if (a.role == "parent" || a.role == "relative") a.role = "guardian";
    if (a.role == "administrator") {
      a.role = "school_admin";
      for (const auto& org : SplitList(cell(row, "orgSourcedIds"))) {
        if (districts.count(org)) a.role = "district_admin";
      }
    }
    if (auto it = classes.find(cell(row, "sourcedId")); it != classes.end()) {
      a.classes = std::move(it->second);
    }
    accounts.push_back(std::move(a));
  }
  return accounts;
}

}  // namespace

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  // A UTF-8 byte order mark before the first header.
  if (!rows.empty() && !rows[0].empty() && rows[0][0].rfind("\xEF\xBB\xBF", 0) == 0) {
    rows[0][0].erase(0, 3);
  }
  return rows;
}

Result<std::vector<Account>> LoadAccounts(const std::string& path) {
  HR_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Status::InvalidArgument(path + ": empty");
  if (text[first] == '[') return FromJson(path, text);
  return FromUsersCsv(path, text);
}

Result<std::map<std::string, std::string>> ReadTokenCache(const std::string& path) {
  std::map<std::string, std::string> tokens;
  if (!std::filesystem::exists(path)) return tokens;
  HR_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size()) {
      return Status::InvalidArgument(path + ":" + std::to_string(n) +
                                     ": expected username<TAB>token");
    }
    tokens[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return tokens;
}

Status WriteTokenCache(const std::string& path, const std::map<std::string, std::string>& tokens) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Unavailable("cannot write " + tmp, 0);
    ::chmod(tmp.c_str(), 0600);
    out << "# homeroom-storm session tokens: username<TAB>token\n";
    for (const auto& [user, token] : tokens) out << user << '\t' << token << '\n';
    if (!out) return Status::Unavailable("cannot write " + tmp, 0);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Unavailable("cannot replace " + path + ": " + ec.message(), 0);
  return Status::Ok();
}

}  // namespace homeroom::storm
