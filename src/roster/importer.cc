#include "roster/importer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "auth/password_hasher.h"
#include "core/log.h"
#include "roster/values.h"
#include "store/roster_writer.h"

namespace homeroom::roster {
namespace {

// The importer's metrics, declared once (style.md, convention 8).
#define HOMEROOM_IMPORTER_COUNTERS(COUNTER)                                                       \
  COUNTER(imports_applied, "homeroom_roster_imports_applied_total",                               \
          "OneRoster imports committed.")                                                         \
  COUNTER(imports_rejected, "homeroom_roster_imports_rejected_total",                             \
          "OneRoster imports refused because the set had problems (nothing changed).")            \
  COUNTER(imports_failed, "homeroom_roster_imports_failed_total",                                 \
          "OneRoster imports that failed on an I/O or database error (rolled back).")             \
  COUNTER(problems, "homeroom_roster_import_problems_total", "Problems found in OneRoster sets.") \
  COUNTER(rows_written, "homeroom_roster_import_rows_written_total",                              \
          "Roster rows created, updated or deactivated by imports.")

struct ImporterMetrics {
#define HR_DECLARE(member, name, help) metrics::Counter* member = nullptr;
  HOMEROOM_IMPORTER_COUNTERS(HR_DECLARE)
#undef HR_DECLARE
  metrics::Histogram* seconds = nullptr;

  explicit ImporterMetrics(metrics::Registry* r) {
    if (!r) return;
#define HR_REGISTER(member, name, help) member = &r->GetCounter(name, help);
    HOMEROOM_IMPORTER_COUNTERS(HR_REGISTER)
#undef HR_REGISTER
    seconds = &r->GetHistogram("homeroom_roster_import_seconds",
                               "Duration of OneRoster imports, validation included.");
  }
  void Inc(metrics::Counter* c, int64_t n = 1) {
    if (c && n > 0) c->Inc(static_cast<uint64_t>(n));
  }
};

enum class Mode { kAbsent, kBulk, kDelta };

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kAbsent:
      return "absent";
    case Mode::kBulk:
      return "bulk";
    case Mode::kDelta:
      return "delta";
  }
  return "";
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
struct PairHash {
  size_t operator()(const std::pair<int64_t, int64_t>& p) const {
    return std::hash<int64_t>()(p.first * 0x9E3779B97F4A7C15LL ^ p.second);
  }
};

// Role categories kept for users already in the database (agent checks, administrator mapping).
enum UserTag : uint8_t { kTagStudent = 1, kTagGuardian = 2, kTagOther = 3, kTagHasPassword = 8 };
constexpr uint8_t kTagDistrict = 1;  // for orgs

// A row already in the database: 24 bytes plus its key, whatever the row's width.
struct Existing {
  int64_t id = 0;
  uint64_t fingerprint = 0;
  bool active = false;
  uint8_t tag = 0;
};
using ExistingMap = std::unordered_map<std::string, Existing, StringHash, std::equal_to<>>;

// A reference resolved either to a row of this set (index) or to a row already stored (db_id).
struct Ref {
  int32_t index = -1;
  int64_t db_id = 0;
};

// What every entity row of the set carries besides its columns.
struct Base {
  int64_t line = 0;
  int64_t id = 0;                // assigned when applied
  bool deactivate_only = false;  // status tobedeleted: only `active` changes
};

struct OrgIn : Base {
  store::OrgRow row;
  std::string parent_sid;
  Ref parent;
};
struct SessionIn : Base {
  store::SessionRow row;
  std::string parent_sid;
  Ref parent;
};
struct CourseIn : Base {
  store::CourseRow row;
  Ref org, school_year;
};
struct ClassIn : Base {
  store::SectionRow row;
  Ref course, school;
  std::vector<Ref> terms;
};
struct UserIn : Base {
  store::UserRow row;
  std::vector<Ref> orgs;
  std::vector<std::string> agents;
  std::string password;
  uint8_t tag = 0;
};
// The biggest file (two million rows for a large district) is kept compact: about half the size
// of a store::EnrollmentRow, which is built only while the row is written.
constexpr std::string_view kEnrollmentRoles[] = {"student", "teacher", "administrator", "proctor"};
struct EnrollmentIn : Base {
  std::string sourced_id;
  Ref section, user;
  uint8_t role = 0;  // index into kEnrollmentRoles
  bool is_primary = false;
  char begin_date[10] = {};  // YYYY-MM-DD, or all zero when absent
  char end_date[10] = {};
};

template <typename In>
std::string_view SourcedIdOf(const In& in) {
  if constexpr (requires { in.row.sourced_id; }) {
    return in.row.sourced_id;
  } else {
    return in.sourced_id;
  }
}

// The rows of one entity in the set, and the same entity as stored. Rows live in a deque so that
// the index can key on views of their sourced ids.
template <typename In>
struct Table {
  std::string entity;  // "users"
  std::string file;    // "users.csv"
  Mode mode = Mode::kAbsent;
  std::deque<In> rows;
  std::unordered_map<std::string_view, int32_t> index;
  ExistingMap existing;
};

// 1.0 column names that 1.1 renamed, reported rather than guessed.
struct OldName {
  std::string_view file, old_name, new_name;
};
constexpr OldName kOldNames[] = {
    {"users.csv", "userId", "userIds"},
    {"users.csv", "agents", "agentSourcedIds"},
};

class ImportRun {
 public:
  ImportRun(sql::Connection& conn, const ImportOptions& options)
      : conn_(conn), writer_(conn), options_(options) {
    orgs_.entity = "orgs";
    sessions_.entity = "academicSessions";
    courses_.entity = "courses";
    classes_.entity = "classes";
    users_.entity = "users";
    enrollments_.entity = "enrollments";
    orgs_.file = "orgs.csv";
    sessions_.file = "academicSessions.csv";
    courses_.file = "courses.csv";
    classes_.file = "classes.csv";
    users_.file = "users.csv";
    enrollments_.file = "enrollments.csv";
  }

  Result<ImportReport> Run();

 private:
  // ---- problems ----
  void Problem(std::string_view file, int64_t line, std::string_view column, std::string message) {
    ++report_.problem_count;
    if (report_.problems.size() < options_.max_reported_problems) {
      report_.problems.push_back(fmt::format("{}:{}: {}: {}", file, line, column, message));
    }
  }
  void RawProblem(std::string message) {
    ++report_.problem_count;
    if (report_.problems.size() < options_.max_reported_problems) {
      report_.problems.push_back(std::move(message));
    }
  }

  // ---- reading ----
  Status ReadManifest();
  Status LoadExisting();
  std::unique_ptr<CsvReader> OpenFile(const std::string& file, Mode mode,
                                      std::initializer_list<std::string_view> required);
  // Reads the next record; false at the end or after a reader error (reported).
  bool NextRecord(CsvReader& r);
  // The sourcedId/status/dateLastModified checks every row shares. Returns false when the row is
  // to be skipped (no sourcedId, duplicate, or tobedeleted for a row not stored).
  template <typename In>
  bool ReadBase(CsvReader& r, Table<In>& t, Base* base, std::string* sourced_id);
  template <typename In>
  void AddRow(Table<In>& t, In in);

  std::string_view Required(CsvReader& r, std::optional<size_t> col, std::string_view column);
  std::optional<std::string> Optional(CsvReader& r, std::optional<size_t> col);
  template <typename In>
  bool Resolve(const Table<In>& t, std::string_view sid, Ref* out) const;
  template <typename In>
  void ResolveOrReport(CsvReader& r, const Table<In>& t, std::string_view sid,
                       std::string_view column, std::string_view kind, Ref* out);
  std::optional<int64_t> ParseGrades(CsvReader& r, std::optional<size_t> col,
                                     std::optional<int64_t>* low, std::optional<int64_t>* high,
                                     std::optional<std::string>* normalized);

  void ReadOrgs();
  void ReadSessions();
  void ReadCourses();
  void ReadClasses();
  void ReadUsers();
  void ReadEnrollments();
  void CheckUsernames();
  void ResolveAgents();
  template <typename In>
  void OrderParents(Table<In>& t, std::string_view kind, std::vector<int32_t>* order);

  // ---- applying ----
  template <typename In>
  int64_t IdOf(const Table<In>& t, const Ref& ref) const {
    return ref.index >= 0 ? t.rows[static_cast<size_t>(ref.index)].id : ref.db_id;
  }
  std::optional<int64_t> OptIdOf(const auto& t, const Ref& ref) const {
    if (ref.index < 0 && ref.db_id == 0) return std::nullopt;
    return IdOf(t, ref);
  }
  // Inserts, updates, reactivates or deactivates one row; returns the outcome counted.
  template <typename In, typename Row>
  Status ApplyRow(Table<In>& t, Base& in, Row& row, store::RosterTable table, char* outcome);
  template <typename In>
  Status DeactivateMissing(Table<In>& t, store::RosterTable table);
  void Count(std::string_view entity, char outcome);
  Status Apply();
  Status ApplyOrgs();
  Status ApplySessions();
  Status ApplyCourses();
  Status ApplyClasses();
  Status ApplyUsers();
  Status ApplyGuardianLinks();
  Status ApplyEnrollments();

  sql::Connection& conn_;
  store::RosterWriter writer_;
  const ImportOptions& options_;
  ImportReport report_;
  std::optional<std::string> source_system_;
  std::unique_ptr<RosterSource> source_;  // opened by Run()
  bool manifest_ok_ = false;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // The columns every entity file shares, of the file being read.
  std::optional<size_t> col_sourced_id_, col_status_, col_modified_;

  Table<OrgIn> orgs_;
  Table<SessionIn> sessions_;
  Table<CourseIn> courses_;
  Table<ClassIn> classes_;
  Table<UserIn> users_;
  Table<EnrollmentIn> enrollments_;
  std::vector<int32_t> org_order_, session_order_;  // parents before children

  // username_key -> sourced_id of users stored and not in this set.
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> stored_usernames_;
  // (guardian, student) pairs wanted by this set.
  std::vector<std::pair<Ref, Ref>> links_;
  std::unordered_map<int64_t, std::vector<int64_t>> stored_terms_;
  std::unordered_map<int64_t, std::vector<std::pair<int64_t, bool>>> stored_user_orgs_;
  std::unordered_map<std::pair<int64_t, int64_t>, bool, PairHash> stored_links_;
  std::unordered_map<int64_t, char> org_outcome_;  // by org id: 'c', 'u', 'd', '='
};

// ---------------------------------------------------------------------------------------------
// Reading

Status ImportRun::ReadManifest() {
  if (!source_->Has("manifest.csv")) {
    Problem("manifest.csv", 1, "(file)",
            fmt::format("not found in {}: a OneRoster set needs a manifest", source_->Describe()));
    return Status::Ok();
  }
  auto opened = source_->OpenCsv("manifest.csv", options_.csv_limits);
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kNotFound) return opened.status();
    RawProblem(opened.status().message());
    return Status::Ok();
  }
  CsvReader& r = **opened;
  auto name_col = r.ColumnIndex("propertyName");
  auto value_col = r.ColumnIndex("value");
  if (!name_col || !value_col) {
    Problem("manifest.csv", 1, !name_col ? "propertyName" : "value", "missing required column");
    return Status::Ok();
  }
  const std::pair<std::string_view, Mode*> files[] = {
      {"file.orgs", &orgs_.mode},       {"file.academicSessions", &sessions_.mode},
      {"file.courses", &courses_.mode}, {"file.classes", &classes_.mode},
      {"file.users", &users_.mode},     {"file.enrollments", &enrollments_.mode},
  };
  while (NextRecord(r)) {
    std::string_view name = r.Field(name_col);
    std::string_view value = r.Field(value_col);
    if (name == "oneroster.version" && value != "1.1") {
      Problem("manifest.csv", r.line(), "value",
              fmt::format("oneroster.version is '{}'; Homeroom reads OneRoster 1.1", value));
    } else if (name == "source.systemName" && !value.empty()) {
      source_system_ = std::string(value);
    } else if (name.starts_with("file.")) {
      Mode mode;
      if (value == "bulk") {
        mode = Mode::kBulk;
      } else if (value == "delta") {
        mode = Mode::kDelta;
      } else if (value == "absent") {
        mode = Mode::kAbsent;
      } else {
        Problem("manifest.csv", r.line(), "value",
                fmt::format("'{}' for {} is not one of bulk, delta, absent", value, name));
        continue;
      }
      for (const auto& [key, target] : files) {
        if (name == key) *target = mode;
      }
    }
  }
  manifest_ok_ = true;
  return Status::Ok();
}

Status ImportRun::LoadExisting() {
  HR_RETURN_IF_ERROR(writer_.ForEachOrg([&](int64_t id, const store::OrgRow& r) {
    orgs_.existing.emplace(r.sourced_id,
                           Existing{id, store::Fingerprint(r), r.active,
                                    static_cast<uint8_t>(r.type == "district" ? kTagDistrict : 0)});
  }));
  HR_RETURN_IF_ERROR(writer_.ForEachSession([&](int64_t id, const store::SessionRow& r) {
    sessions_.existing.emplace(r.sourced_id, Existing{id, store::Fingerprint(r), r.active, 0});
  }));
  HR_RETURN_IF_ERROR(writer_.ForEachCourse([&](int64_t id, const store::CourseRow& r) {
    courses_.existing.emplace(r.sourced_id, Existing{id, store::Fingerprint(r), r.active, 0});
  }));
  HR_RETURN_IF_ERROR(writer_.ForEachSection([&](int64_t id, const store::SectionRow& r) {
    classes_.existing.emplace(r.sourced_id, Existing{id, store::Fingerprint(r), r.active, 0});
  }));
  HR_RETURN_IF_ERROR(writer_.ForEachUser([&](int64_t id, const store::UserRow& r) {
    uint8_t tag = r.role == "student"    ? kTagStudent
                  : r.role == "guardian" ? kTagGuardian
                                         : kTagOther;
    if (r.has_password) tag |= kTagHasPassword;
    users_.existing.emplace(r.sourced_id, Existing{id, store::Fingerprint(r), r.active, tag});
    stored_usernames_.emplace(r.username_key, r.sourced_id);
  }));
  // Enrollments are the biggest table and nothing refers to them: load them only when needed.
  if (enrollments_.mode != Mode::kAbsent) {
    HR_RETURN_IF_ERROR(writer_.ForEachEnrollment([&](int64_t id, const store::EnrollmentRow& r) {
      enrollments_.existing.emplace(r.sourced_id, Existing{id, store::Fingerprint(r), r.active, 0});
    }));
  }
  if (classes_.mode != Mode::kAbsent) {
    HR_RETURN_IF_ERROR(writer_.ForEachSectionTerm(
        [&](int64_t section, int64_t session) { stored_terms_[section].push_back(session); }));
  }
  if (users_.mode != Mode::kAbsent) {
    HR_RETURN_IF_ERROR(writer_.ForEachUserOrg([&](int64_t user, int64_t org, bool active) {
      stored_user_orgs_[user].emplace_back(org, active);
    }));
    HR_RETURN_IF_ERROR(writer_.ForEachGuardianLink([&](int64_t g, int64_t s, bool active) {
      stored_links_.emplace(std::make_pair(g, s), active);
    }));
  }
  return Status::Ok();
}

std::unique_ptr<CsvReader> ImportRun::OpenFile(const std::string& file, Mode mode,
                                               std::initializer_list<std::string_view> required) {
  if (mode == Mode::kAbsent) return nullptr;
  if (!source_->Has(file)) {
    Problem(file, 1, "(file)",
            fmt::format("listed as {} in manifest.csv but not found", ModeName(mode)));
    return nullptr;
  }
  auto opened = source_->OpenCsv(file, options_.csv_limits);
  if (!opened.ok()) {
    RawProblem(opened.status().message());
    return nullptr;
  }
  std::unique_ptr<CsvReader> r = std::move(opened).value();
  bool ok = true;
  for (const OldName& old : kOldNames) {
    if (old.file == file && r->ColumnIndex(old.old_name)) {
      Problem(file, 1, old.old_name,
              fmt::format("'{}' is a OneRoster 1.0 column name; OneRoster 1.1 calls it '{}'",
                          old.old_name, old.new_name));
      ok = false;
    }
  }
  for (std::string_view column : required) {
    if (!r->ColumnIndex(column)) {
      Problem(file, 1, column, "missing required column");
      ok = false;
    }
  }
  col_sourced_id_ = r->ColumnIndex("sourcedId");
  col_status_ = r->ColumnIndex("status");
  col_modified_ = r->ColumnIndex("dateLastModified");
  return ok ? std::move(r) : nullptr;
}

bool ImportRun::NextRecord(CsvReader& r) {
  while (true) {
    Result<bool> next = r.Next();
    if (!next.ok()) {
      RawProblem(next.status().message());
      return false;
    }
    if (!*next) return false;
    if (r.field_count() != r.header().size()) {
      Problem(r.name(), r.line(), "(record)",
              fmt::format("{} fields, but the header has {}", r.field_count(), r.header().size()));
      continue;
    }
    return true;
  }
}

std::string_view ImportRun::Required(CsvReader& r, std::optional<size_t> col,
                                     std::string_view column) {
  std::string_view v = r.Field(col);
  if (v.empty()) Problem(r.name(), r.line(), column, "missing required value");
  return v;
}

std::optional<std::string> ImportRun::Optional(CsvReader& r, std::optional<size_t> col) {
  std::string_view v = r.Field(col);
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

template <typename In>
bool ImportRun::ReadBase(CsvReader& r, Table<In>& t, Base* base, std::string* sourced_id) {
  base->line = r.line();
  std::string_view sid = r.Field(col_sourced_id_);
  std::string_view status = r.Field(col_status_);
  std::string_view modified = r.Field(col_modified_);
  bool delta = t.mode == Mode::kDelta;
  if (status.empty()) {
    if (delta) Problem(t.file, base->line, "status", "missing required value (delta file)");
  } else if (status == "tobedeleted") {
    base->deactivate_only = true;
  } else if (status != "active") {
    Problem(t.file, base->line, "status",
            fmt::format("'{}' is not one of active, tobedeleted", status));
  }
  if (modified.empty()) {
    if (delta)
      Problem(t.file, base->line, "dateLastModified", "missing required value (delta file)");
  } else if (!IsValidDateTime(modified)) {
    Problem(t.file, base->line, "dateLastModified",
            fmt::format("'{}' is not an ISO 8601 date-time", modified));
  }
  if (sid.empty()) {
    Problem(t.file, base->line, "sourcedId", "missing required value");
    return false;
  }
  auto dup = t.index.find(sid);
  if (dup != t.index.end()) {
    Problem(t.file, base->line, "sourcedId",
            fmt::format("duplicate sourcedId '{}' (first on line {})", sid,
                        t.rows[static_cast<size_t>(dup->second)].line));
    return false;
  }
  // Deleting a row that was never stored changes nothing.
  if (base->deactivate_only && !t.existing.contains(sid)) return false;
  *sourced_id = std::string(sid);
  return true;
}

template <typename In>
void ImportRun::AddRow(Table<In>& t, In in) {
  auto index = static_cast<int32_t>(t.rows.size());
  t.rows.push_back(std::move(in));
  t.index.emplace(SourcedIdOf(t.rows.back()), index);
}

template <typename In>
bool ImportRun::Resolve(const Table<In>& t, std::string_view sid, Ref* out) const {
  auto it = t.index.find(sid);
  if (it != t.index.end()) {
    out->index = it->second;
    return true;
  }
  auto e = t.existing.find(sid);
  if (e != t.existing.end()) {
    out->db_id = e->second.id;
    return true;
  }
  return false;
}

template <typename In>
void ImportRun::ResolveOrReport(CsvReader& r, const Table<In>& t, std::string_view sid,
                                std::string_view column, std::string_view kind, Ref* out) {
  if (!Resolve(t, sid, out)) {
    Problem(r.name(), r.line(), column, fmt::format("unknown {} '{}'", kind, sid));
  }
}

// Parses a grades cell; reports bad codes. Returns the lowest level (nullopt when none).
std::optional<int64_t> ImportRun::ParseGrades(CsvReader& r, std::optional<size_t> col,
                                              std::optional<int64_t>* low,
                                              std::optional<int64_t>* high,
                                              std::optional<std::string>* normalized) {
  std::optional<int64_t> lo, hi;
  std::string joined;
  for (std::string_view code : SplitList(r.Field(col))) {
    std::optional<int> level;
    if (!ParseGrade(code, &level)) {
      Problem(r.name(), r.line(), "grades",
              fmt::format("'{}' is not a grade (PK, TK, PS, KG, 01..13, Other)", code));
      continue;
    }
    if (!joined.empty()) joined += ',';
    joined += code;
    if (level) {
      if (!lo || *level < *lo) lo = *level;
      if (!hi || *level > *hi) hi = *level;
    }
  }
  if (low) *low = lo;
  if (high) *high = hi;
  if (normalized) {
    *normalized = joined.empty() ? std::nullopt : std::optional<std::string>(std::move(joined));
  }
  return lo;
}

void ImportRun::ReadOrgs() {
  auto reader = OpenFile(orgs_.file, orgs_.mode, {"sourcedId", "name", "type"});
  if (!reader) return;
  CsvReader& r = *reader;
  auto c_name = r.ColumnIndex("name"), c_type = r.ColumnIndex("type"),
       c_identifier = r.ColumnIndex("identifier"), c_parent = r.ColumnIndex("parentSourcedId");
  while (NextRecord(r)) {
    OrgIn in;
    if (!ReadBase(r, orgs_, &in, &in.row.sourced_id)) continue;
    if (!in.deactivate_only) {
      in.row.name = std::string(Required(r, c_name, "name"));
      std::string_view type = Required(r, c_type, "type");
      if (!type.empty() && !IsOrgType(type)) {
        Problem(r.name(), r.line(), "type",
                fmt::format("'{}' is not one of district, school, department, local, state, "
                            "national",
                            type));
      }
      in.row.type = std::string(type);
      in.row.identifier = Optional(r, c_identifier);
      in.parent_sid = std::string(r.Field(c_parent));
    }
    AddRow(orgs_, std::move(in));
  }
  // Parents may come after their children in the file.
  for (OrgIn& in : orgs_.rows) {
    if (!in.parent_sid.empty() && !Resolve(orgs_, in.parent_sid, &in.parent)) {
      Problem(orgs_.file, in.line, "parentSourcedId",
              fmt::format("unknown org '{}'", in.parent_sid));
    }
  }
  OrderParents(orgs_, "org", &org_order_);
}

void ImportRun::ReadSessions() {
  auto reader = OpenFile(sessions_.file, sessions_.mode,
                         {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"});
  if (!reader) return;
  CsvReader& r = *reader;
  auto c_title = r.ColumnIndex("title"), c_type = r.ColumnIndex("type"),
       c_start = r.ColumnIndex("startDate"), c_end = r.ColumnIndex("endDate"),
       c_parent = r.ColumnIndex("parentSourcedId"), c_year = r.ColumnIndex("schoolYear");
  while (NextRecord(r)) {
    SessionIn in;
    if (!ReadBase(r, sessions_, &in, &in.row.sourced_id)) continue;
    if (!in.deactivate_only) {
      in.row.title = std::string(Required(r, c_title, "title"));
      std::string_view type = Required(r, c_type, "type");
      if (!type.empty() && !IsSessionType(type)) {
        Problem(r.name(), r.line(), "type",
                fmt::format("'{}' is not one of schoolYear, semester, term, gradingPeriod", type));
      }
      in.row.type = std::string(type);
      for (auto [col, column, target] : {std::tuple{c_start, "startDate", &in.row.start_date},
                                         std::tuple{c_end, "endDate", &in.row.end_date}}) {
        std::string_view v = Required(r, col, column);
        if (!v.empty() && !IsValidDate(v)) {
          Problem(r.name(), r.line(), column, fmt::format("'{}' is not a date (YYYY-MM-DD)", v));
        }
        *target = std::string(v);
      }
      if (IsValidDate(in.row.start_date) && IsValidDate(in.row.end_date) &&
          in.row.end_date < in.row.start_date) {
        Problem(r.name(), r.line(), "endDate",
                fmt::format("'{}' is before startDate '{}'", in.row.end_date, in.row.start_date));
      }
      std::string_view year = Required(r, c_year, "schoolYear");
      if (!year.empty()) {
        bool ok = year.size() == 4 && std::all_of(year.begin(), year.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
        if (!ok) {
          Problem(r.name(), r.line(), "schoolYear", fmt::format("'{}' is not a year (YYYY)", year));
        } else {
          in.row.school_year = std::stoi(std::string(year));
        }
      }
      in.parent_sid = std::string(r.Field(c_parent));
    }
    AddRow(sessions_, std::move(in));
  }
  for (SessionIn& in : sessions_.rows) {
    if (!in.parent_sid.empty() && !Resolve(sessions_, in.parent_sid, &in.parent)) {
      Problem(sessions_.file, in.line, "parentSourcedId",
              fmt::format("unknown academic session '{}'", in.parent_sid));
    }
  }
  OrderParents(sessions_, "academic session", &session_order_);
}

// Orders rows so that a parent in the set is written before its children; reports loops.
template <typename In>
void ImportRun::OrderParents(Table<In>& t, std::string_view kind, std::vector<int32_t>* order) {
  std::vector<uint8_t> state(t.rows.size(), 0);  // 0 new, 1 on the current path, 2 done
  for (size_t start = 0; start < t.rows.size(); ++start) {
    std::vector<int32_t> path;
    int32_t i = static_cast<int32_t>(start);
    while (i >= 0 && state[static_cast<size_t>(i)] == 0) {
      state[static_cast<size_t>(i)] = 1;
      path.push_back(i);
      i = t.rows[static_cast<size_t>(i)].parent.index;
    }
    if (i >= 0 && state[static_cast<size_t>(i)] == 1) {
      const In& in = t.rows[static_cast<size_t>(i)];
      Problem(
          t.file, in.line, "parentSourcedId",
          fmt::format("the {} parent chain of '{}' loops back to itself", kind, in.row.sourced_id));
      // Break the loop so that the rows can still be ordered (the import fails anyway).
      t.rows[static_cast<size_t>(i)].parent = Ref{};
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      state[static_cast<size_t>(*it)] = 2;
      order->push_back(*it);
    }
  }
}

void ImportRun::ReadCourses() {
  auto reader = OpenFile(courses_.file, courses_.mode, {"sourcedId", "title", "orgSourcedId"});
  if (!reader) return;
  CsvReader& r = *reader;
  auto c_title = r.ColumnIndex("title"), c_code = r.ColumnIndex("courseCode"),
       c_grades = r.ColumnIndex("grades"), c_org = r.ColumnIndex("orgSourcedId"),
       c_year = r.ColumnIndex("schoolYearSourcedId");
  while (NextRecord(r)) {
    CourseIn in;
    if (!ReadBase(r, courses_, &in, &in.row.sourced_id)) continue;
    if (!in.deactivate_only) {
      in.row.title = std::string(Required(r, c_title, "title"));
      in.row.course_code = Optional(r, c_code);
      ParseGrades(r, c_grades, nullptr, nullptr, &in.row.grades);
      std::string_view org = Required(r, c_org, "orgSourcedId");
      if (!org.empty()) ResolveOrReport(r, orgs_, org, "orgSourcedId", "org", &in.org);
      std::string_view year = r.Field(c_year);
      if (!year.empty()) {
        ResolveOrReport(r, sessions_, year, "schoolYearSourcedId", "academic session",
                        &in.school_year);
      }
    }
    AddRow(courses_, std::move(in));
  }
}

void ImportRun::ReadClasses() {
  auto reader = OpenFile(
      classes_.file, classes_.mode,
      {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"});
  if (!reader) return;
  CsvReader& r = *reader;
  auto c_title = r.ColumnIndex("title"), c_grades = r.ColumnIndex("grades"),
       c_course = r.ColumnIndex("courseSourcedId"), c_code = r.ColumnIndex("classCode"),
       c_type = r.ColumnIndex("classType"), c_location = r.ColumnIndex("location"),
       c_school = r.ColumnIndex("schoolSourcedId"), c_terms = r.ColumnIndex("termSourcedIds"),
       c_periods = r.ColumnIndex("periods");
  while (NextRecord(r)) {
    ClassIn in;
    if (!ReadBase(r, classes_, &in, &in.row.sourced_id)) continue;
    if (!in.deactivate_only) {
      in.row.title = std::string(Required(r, c_title, "title"));
      ParseGrades(r, c_grades, &in.row.low_grade, &in.row.high_grade, &in.row.grades);
      std::string_view course = Required(r, c_course, "courseSourcedId");
      if (!course.empty())
        ResolveOrReport(r, courses_, course, "courseSourcedId", "course", &in.course);
      in.row.class_code = Optional(r, c_code);
      std::string_view type = Required(r, c_type, "classType");
      if (!type.empty() && !IsClassType(type)) {
        Problem(r.name(), r.line(), "classType",
                fmt::format("'{}' is not one of homeroom, scheduled", type));
      }
      in.row.class_type = std::string(type);
      in.row.location = Optional(r, c_location);
      std::string_view school = Required(r, c_school, "schoolSourcedId");
      if (!school.empty()) ResolveOrReport(r, orgs_, school, "schoolSourcedId", "org", &in.school);
      auto terms = SplitList(Required(r, c_terms, "termSourcedIds"));
      for (std::string_view term : terms) {
        Ref ref;
        ResolveOrReport(r, sessions_, term, "termSourcedIds", "academic session", &ref);
        in.terms.push_back(ref);
      }
      std::string periods;
      for (std::string_view p : SplitList(r.Field(c_periods))) {
        if (!periods.empty()) periods += ',';
        periods += p;
      }
      if (!periods.empty()) in.row.periods = std::move(periods);
    }
    AddRow(classes_, std::move(in));
  }
}

void ImportRun::ReadUsers() {
  auto reader = OpenFile(
      users_.file, users_.mode,
      {"sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"});
  if (!reader) return;
  CsvReader& r = *reader;
  auto c_enabled = r.ColumnIndex("enabledUser"), c_orgs = r.ColumnIndex("orgSourcedIds"),
       c_role = r.ColumnIndex("role"), c_username = r.ColumnIndex("username"),
       c_given = r.ColumnIndex("givenName"), c_family = r.ColumnIndex("familyName"),
       c_middle = r.ColumnIndex("middleName"), c_identifier = r.ColumnIndex("identifier"),
       c_email = r.ColumnIndex("email"), c_agents = r.ColumnIndex("agentSourcedIds"),
       c_grades = r.ColumnIndex("grades"), c_password = r.ColumnIndex("password");
  // username_key -> line, for duplicates inside the file.
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> usernames;
  while (NextRecord(r)) {
    UserIn in;
    if (!ReadBase(r, users_, &in, &in.row.sourced_id)) continue;
    if (!in.deactivate_only) {
      std::string_view enabled = Required(r, c_enabled, "enabledUser");
      if (!enabled.empty() && !ParseBool(enabled, &in.row.enabled)) {
        Problem(r.name(), r.line(), "enabledUser",
                fmt::format("'{}' is not a boolean (true or false)", enabled));
      }
      bool in_district = false;
      for (std::string_view org : SplitList(Required(r, c_orgs, "orgSourcedIds"))) {
        Ref ref;
        if (!Resolve(orgs_, org, &ref)) {
          Problem(r.name(), r.line(), "orgSourcedIds", fmt::format("unknown org '{}'", org));
          continue;
        }
        if (ref.index >= 0) {
          in_district |= orgs_.rows[static_cast<size_t>(ref.index)].row.type == "district";
        } else {
          in_district |= (orgs_.existing.find(org)->second.tag & kTagDistrict) != 0;
        }
        in.orgs.push_back(ref);
      }
      std::string_view role = Required(r, c_role, "role");
      if (!role.empty() && !IsUserRole(role)) {
        Problem(r.name(), r.line(), "role",
                fmt::format("'{}' is not one of administrator, aide, guardian, parent, proctor, "
                            "relative, student, teacher",
                            role));
      }
      in.row.source_role = std::string(role);
      in.row.role = MapUserRole(role, in_district);
      in.tag = in.row.role == "student"    ? kTagStudent
               : in.row.role == "guardian" ? kTagGuardian
                                           : kTagOther;
      std::string_view username = Required(r, c_username, "username");
      in.row.username = std::string(username);
      in.row.username_key = UsernameKey(username);
      if (!username.empty()) {
        auto [it, inserted] = usernames.emplace(in.row.username_key, r.line());
        if (!inserted) {
          Problem(r.name(), r.line(), "username",
                  fmt::format("duplicate username '{}' (usernames are case-insensitive; first "
                              "on line {})",
                              username, it->second));
        }
      }
      in.row.given_name = std::string(Required(r, c_given, "givenName"));
      in.row.family_name = std::string(Required(r, c_family, "familyName"));
      in.row.middle_name = Optional(r, c_middle);
      in.row.identifier = Optional(r, c_identifier);
      in.row.email = Optional(r, c_email);
      std::optional<int64_t> lowest = ParseGrades(r, c_grades, nullptr, nullptr, &in.row.grades);
      if (in.row.role == "student") in.row.grade_level = lowest;
      for (std::string_view agent : SplitList(r.Field(c_agents))) in.agents.emplace_back(agent);
      in.password = std::string(r.Field(c_password));
    }
    AddRow(users_, std::move(in));
  }
}

// Usernames already stored for users that this set does not rename must not be taken again.
void ImportRun::CheckUsernames() {
  for (const UserIn& in : users_.rows) {
    if (in.deactivate_only || in.row.username.empty()) continue;
    auto it = stored_usernames_.find(in.row.username_key);
    if (it == stored_usernames_.end() || it->second == in.row.sourced_id) continue;
    auto holder = users_.index.find(it->second);
    if (holder != users_.index.end()) {
      const UserIn& other = users_.rows[static_cast<size_t>(holder->second)];
      // The holder is in this set: the in-file check covers it unless it is renamed here.
      if (other.deactivate_only == false) continue;
    }
    Problem(users_.file, in.line, "username",
            fmt::format("duplicate username '{}': already used by user '{}' in the database "
                        "(usernames are case-insensitive)",
                        in.row.username, it->second));
  }
}

void ImportRun::ResolveAgents() {
  for (size_t i = 0; i < users_.rows.size(); ++i) {
    const UserIn& in = users_.rows[i];
    if (in.agents.empty()) continue;
    Ref self{static_cast<int32_t>(i), 0};
    uint8_t self_kind = in.tag & 7;
    for (const std::string& agent : in.agents) {
      Ref ref;
      if (!Resolve(users_, agent, &ref)) {
        Problem(users_.file, in.line, "agentSourcedIds", fmt::format("unknown user '{}'", agent));
        continue;
      }
      uint8_t kind = ref.index >= 0 ? users_.rows[static_cast<size_t>(ref.index)].tag & 7
                                    : users_.existing.find(agent)->second.tag & 7;
      if (self_kind == kTagStudent) {
        if (kind != kTagGuardian) {
          Problem(users_.file, in.line, "agentSourcedIds",
                  fmt::format("'{}' is not a guardian, parent or relative", agent));
          continue;
        }
        links_.emplace_back(ref, self);
      } else if (self_kind == kTagGuardian) {
        if (kind != kTagStudent) {
          Problem(users_.file, in.line, "agentSourcedIds",
                  fmt::format("'{}' is not a student", agent));
          continue;
        }
        links_.emplace_back(self, ref);
      }
      // Agents of other roles (a teacher's emergency contact) are not stored.
    }
  }
}

void ImportRun::ReadEnrollments() {
  auto reader =
      OpenFile(enrollments_.file, enrollments_.mode,
               {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"});
  if (!reader) return;
  CsvReader& r = *reader;
  auto c_class = r.ColumnIndex("classSourcedId"), c_school = r.ColumnIndex("schoolSourcedId"),
       c_user = r.ColumnIndex("userSourcedId"), c_role = r.ColumnIndex("role"),
       c_primary = r.ColumnIndex("primary"), c_begin = r.ColumnIndex("beginDate"),
       c_end = r.ColumnIndex("endDate");
  while (NextRecord(r)) {
    EnrollmentIn in;
    if (!ReadBase(r, enrollments_, &in, &in.sourced_id)) continue;
    if (!in.deactivate_only) {
      std::string_view cls = Required(r, c_class, "classSourcedId");
      if (!cls.empty()) ResolveOrReport(r, classes_, cls, "classSourcedId", "class", &in.section);
      std::string_view school = Required(r, c_school, "schoolSourcedId");
      if (!school.empty()) {
        Ref unused;
        ResolveOrReport(r, orgs_, school, "schoolSourcedId", "org", &unused);
      }
      std::string_view user = Required(r, c_user, "userSourcedId");
      if (!user.empty()) ResolveOrReport(r, users_, user, "userSourcedId", "user", &in.user);
      std::string_view role = Required(r, c_role, "role");
      auto known = std::find(std::begin(kEnrollmentRoles), std::end(kEnrollmentRoles), role);
      if (known != std::end(kEnrollmentRoles)) {
        in.role = static_cast<uint8_t>(known - std::begin(kEnrollmentRoles));
      } else if (!role.empty()) {
        Problem(r.name(), r.line(), "role",
                fmt::format("'{}' is not one of student, teacher, administrator, proctor", role));
      }
      std::string_view primary = r.Field(c_primary);
      if (!primary.empty() && !ParseBool(primary, &in.is_primary)) {
        Problem(r.name(), r.line(), "primary",
                fmt::format("'{}' is not a boolean (true or false)", primary));
      }
      for (auto [col, column, target] : {std::tuple{c_begin, "beginDate", in.begin_date},
                                         std::tuple{c_end, "endDate", in.end_date}}) {
        std::string_view v = r.Field(col);
        if (v.empty()) continue;
        if (!IsValidDate(v)) {
          Problem(r.name(), r.line(), column, fmt::format("'{}' is not a date (YYYY-MM-DD)", v));
          continue;
        }
        std::copy(v.begin(), v.end(), target);
      }
    }
    AddRow(enrollments_, std::move(in));
  }
}

// ---------------------------------------------------------------------------------------------
// Applying

void ImportRun::Count(std::string_view entity, char outcome) {
  EntityCounts& c = report_.counts[std::string(entity)];
  switch (outcome) {
    case 'c':
      ++c.created;
      break;
    case 'u':
      ++c.updated;
      break;
    case 'd':
      ++c.deactivated;
      break;
    default:
      ++c.unchanged;
      break;
  }
}

template <typename In, typename Row>
Status ImportRun::ApplyRow(Table<In>& t, Base& in, Row& row, store::RosterTable table,
                           char* outcome) {
  auto e = t.existing.find(std::string_view(row.sourced_id));
  if (in.deactivate_only) {
    // ReadBase only keeps tobedeleted rows that are stored.
    in.id = e->second.id;
    if (e->second.active) {
      HR_RETURN_IF_ERROR(writer_.SetActive(table, in.id, false, options_.now_ms));
      *outcome = 'd';
    } else {
      *outcome = '=';
    }
    return Status::Ok();
  }
  row.active = true;
  if (e == t.existing.end()) {
    HR_ASSIGN_OR_RETURN(in.id, writer_.Insert(row, options_.now_ms));
    *outcome = 'c';
    return Status::Ok();
  }
  in.id = e->second.id;
  if (store::Fingerprint(row) == e->second.fingerprint) {
    if (e->second.active) {
      *outcome = '=';
      return Status::Ok();
    }
    HR_RETURN_IF_ERROR(writer_.SetActive(table, in.id, true, options_.now_ms));
  } else {
    HR_RETURN_IF_ERROR(writer_.Update(in.id, row, options_.now_ms));
  }
  *outcome = 'u';
  return Status::Ok();
}

// Bulk: an active stored row that the file no longer lists is deactivated.
template <typename In>
Status ImportRun::DeactivateMissing(Table<In>& t, store::RosterTable table) {
  if (t.mode != Mode::kBulk) return Status::Ok();
  for (const auto& [sid, e] : t.existing) {
    if (!e.active || t.index.contains(std::string_view(sid))) continue;
    HR_RETURN_IF_ERROR(writer_.SetActive(table, e.id, false, options_.now_ms));
    Count(t.entity, 'd');
    if (table == store::RosterTable::kOrgs) org_outcome_[e.id] = 'd';
  }
  return Status::Ok();
}

Status ImportRun::ApplyOrgs() {
  for (int32_t i : org_order_) {
    OrgIn& in = orgs_.rows[static_cast<size_t>(i)];
    in.row.parent_id = OptIdOf(orgs_, in.parent);
    char outcome;
    HR_RETURN_IF_ERROR(ApplyRow(orgs_, in, in.row, store::RosterTable::kOrgs, &outcome));
    Count(orgs_.entity, outcome);
    org_outcome_[in.id] = outcome;
  }
  return DeactivateMissing(orgs_, store::RosterTable::kOrgs);
}

Status ImportRun::ApplySessions() {
  for (int32_t i : session_order_) {
    SessionIn& in = sessions_.rows[static_cast<size_t>(i)];
    in.row.parent_id = OptIdOf(sessions_, in.parent);
    char outcome;
    HR_RETURN_IF_ERROR(ApplyRow(sessions_, in, in.row, store::RosterTable::kSessions, &outcome));
    Count(sessions_.entity, outcome);
  }
  return DeactivateMissing(sessions_, store::RosterTable::kSessions);
}

Status ImportRun::ApplyCourses() {
  for (CourseIn& in : courses_.rows) {
    if (!in.deactivate_only) {
      in.row.org_id = IdOf(orgs_, in.org);
      in.row.school_year_id = OptIdOf(sessions_, in.school_year);
    }
    char outcome;
    HR_RETURN_IF_ERROR(ApplyRow(courses_, in, in.row, store::RosterTable::kCourses, &outcome));
    Count(courses_.entity, outcome);
  }
  return DeactivateMissing(courses_, store::RosterTable::kCourses);
}

Status ImportRun::ApplyClasses() {
  for (ClassIn& in : classes_.rows) {
    if (!in.deactivate_only) {
      in.row.course_id = IdOf(courses_, in.course);
      in.row.school_id = IdOf(orgs_, in.school);
    }
    char outcome;
    HR_RETURN_IF_ERROR(ApplyRow(classes_, in, in.row, store::RosterTable::kSections, &outcome));
    if (!in.deactivate_only) {
      std::vector<int64_t> wanted;
      for (const Ref& ref : in.terms) wanted.push_back(IdOf(sessions_, ref));
      std::sort(wanted.begin(), wanted.end());
      wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
      std::vector<int64_t> stored;
      if (auto it = stored_terms_.find(in.id); it != stored_terms_.end()) stored = it->second;
      std::sort(stored.begin(), stored.end());
      if (wanted != stored) {
        for (int64_t s : wanted) {
          if (!std::binary_search(stored.begin(), stored.end(), s)) {
            HR_RETURN_IF_ERROR(writer_.AddSectionTerm(in.id, s));
          }
        }
        for (int64_t s : stored) {
          if (!std::binary_search(wanted.begin(), wanted.end(), s)) {
            HR_RETURN_IF_ERROR(writer_.RemoveSectionTerm(in.id, s));
          }
        }
        if (outcome == '=') outcome = 'u';
      }
    }
    Count(classes_.entity, outcome);
  }
  HR_RETURN_IF_ERROR(DeactivateMissing(classes_, store::RosterTable::kSections));
  // Schools' grade ranges follow their active classes.
  HR_ASSIGN_OR_RETURN(auto changed, writer_.RefreshSchoolGradeRanges(options_.now_ms));
  for (int64_t id : changed) {
    auto it = org_outcome_.find(id);
    if (it == org_outcome_.end()) {
      Count(orgs_.entity, 'u');
      org_outcome_[id] = 'u';
    } else if (it->second == '=') {
      EntityCounts& c = report_.counts[orgs_.entity];
      --c.unchanged;
      ++c.updated;
      it->second = 'u';
    }
  }
  return Status::Ok();
}

Status ImportRun::ApplyUsers() {
  // A username can move from one user to another in one set (a rename, or two users swapping).
  // The stored holder of a wanted key gives it up first, under a temporary key, so that the
  // order of the rows never trips the unique index; its own row then gets its final key.
  for (const UserIn& in : users_.rows) {
    if (in.deactivate_only) continue;
    auto held = stored_usernames_.find(in.row.username_key);
    if (held == stored_usernames_.end() || held->second == in.row.sourced_id) continue;
    auto holder = users_.existing.find(held->second);
    if (holder == users_.existing.end()) continue;
    HR_RETURN_IF_ERROR(writer_.SetUsernameKey(holder->second.id, "\x01renaming:" + held->second));
  }
  stored_usernames_ = {};
  for (UserIn& in : users_.rows) {
    char outcome;
    HR_RETURN_IF_ERROR(ApplyRow(users_, in, in.row, store::RosterTable::kUsers, &outcome));
    if (!in.deactivate_only) {
      std::vector<int64_t> wanted;
      for (const Ref& ref : in.orgs) wanted.push_back(IdOf(orgs_, ref));
      std::sort(wanted.begin(), wanted.end());
      wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
      bool changed = false;
      const std::vector<std::pair<int64_t, bool>>* stored = nullptr;
      if (auto it = stored_user_orgs_.find(in.id); it != stored_user_orgs_.end()) {
        stored = &it->second;
      }
      for (int64_t org : wanted) {
        bool found = false;
        if (stored) {
          for (const auto& [o, active] : *stored) {
            if (o != org) continue;
            found = true;
            if (!active) {
              HR_RETURN_IF_ERROR(writer_.PutUserOrg(in.id, org, true));
              changed = true;
            }
          }
        }
        if (!found) {
          HR_RETURN_IF_ERROR(writer_.PutUserOrg(in.id, org, true));
          changed = true;
        }
      }
      if (stored) {
        for (const auto& [o, active] : *stored) {
          if (active && !std::binary_search(wanted.begin(), wanted.end(), o)) {
            HR_RETURN_IF_ERROR(writer_.PutUserOrg(in.id, o, false));
            changed = true;
          }
        }
      }
      if (changed && outcome == '=') outcome = 'u';
      // A password in the export provisions an account that has none yet; once a user has a
      // password (set here or by themselves) later exports do not overwrite it.
      if (!in.password.empty()) {
        auto e = users_.existing.find(std::string_view(in.row.sourced_id));
        bool has = e != users_.existing.end() && (e->second.tag & kTagHasPassword);
        if (!has) {
          HR_ASSIGN_OR_RETURN(std::string hash,
                              auth::HashPassword(in.password, auth::kImportArgon2Params));
          HR_RETURN_IF_ERROR(writer_.SetPasswordHash(in.id, hash, options_.now_ms));
          if (outcome == '=') outcome = 'u';
        }
      }
    }
    Count(users_.entity, outcome);
  }
  return DeactivateMissing(users_, store::RosterTable::kUsers);
}

Status ImportRun::ApplyGuardianLinks() {
  const std::string entity = "guardianLinks";
  std::unordered_set<std::pair<int64_t, int64_t>, PairHash> wanted;
  for (const auto& [g, s] : links_) wanted.emplace(IdOf(users_, g), IdOf(users_, s));
  report_.counts[entity];
  for (const auto& pair : wanted) {
    auto it = stored_links_.find(pair);
    if (it == stored_links_.end()) {
      HR_RETURN_IF_ERROR(writer_.PutGuardianLink(pair.first, pair.second, true));
      Count(entity, 'c');
    } else if (!it->second) {
      HR_RETURN_IF_ERROR(writer_.PutGuardianLink(pair.first, pair.second, true));
      Count(entity, 'u');
    } else {
      Count(entity, '=');
    }
  }
  // Bulk users: the file is the whole truth about links too. Delta: only the links of users it
  // deletes end.
  std::unordered_set<int64_t> deleted;
  for (const UserIn& in : users_.rows) {
    if (in.deactivate_only) deleted.insert(in.id);
  }
  for (const auto& [pair, active] : stored_links_) {
    if (!active || wanted.contains(pair)) continue;
    bool end =
        users_.mode == Mode::kBulk || deleted.contains(pair.first) || deleted.contains(pair.second);
    if (!end) continue;
    HR_RETURN_IF_ERROR(writer_.PutGuardianLink(pair.first, pair.second, false));
    Count(entity, 'd');
  }
  return Status::Ok();
}

Status ImportRun::ApplyEnrollments() {
  store::EnrollmentRow row;  // reused: built from the compact EnrollmentIn while it is written
  auto date = [](const char(&d)[10]) -> std::optional<std::string> {
    if (d[0] == 0) return std::nullopt;
    return std::string(d, sizeof d);
  };
  for (EnrollmentIn& in : enrollments_.rows) {
    row.sourced_id = in.sourced_id;
    if (!in.deactivate_only) {
      row.section_id = IdOf(classes_, in.section);
      row.user_id = IdOf(users_, in.user);
      row.role = kEnrollmentRoles[in.role];
      row.is_primary = in.is_primary;
      row.begin_date = date(in.begin_date);
      row.end_date = date(in.end_date);
    }
    char outcome;
    HR_RETURN_IF_ERROR(ApplyRow(enrollments_, in, row, store::RosterTable::kEnrollments, &outcome));
    Count(enrollments_.entity, outcome);
  }
  return DeactivateMissing(enrollments_, store::RosterTable::kEnrollments);
}

Status ImportRun::Apply() {
  for (const char* entity : {"orgs", "academicSessions", "courses", "classes", "users",
                             "enrollments", "guardianLinks"}) {
    report_.counts[entity];
  }
  HR_RETURN_IF_ERROR(ApplyOrgs());
  HR_RETURN_IF_ERROR(ApplySessions());
  HR_RETURN_IF_ERROR(ApplyCourses());
  if (classes_.mode != Mode::kAbsent) HR_RETURN_IF_ERROR(ApplyClasses());
  if (users_.mode != Mode::kAbsent) {
    HR_RETURN_IF_ERROR(ApplyUsers());
    HR_RETURN_IF_ERROR(ApplyGuardianLinks());
  }
  return ApplyEnrollments();
}

Result<ImportReport> ImportRun::Run() {
  report_.dry_run = options_.dry_run;
  HR_ASSIGN_OR_RETURN(source_, RosterSource::Open(options_.path, options_.archive_limits));
  HR_RETURN_IF_ERROR(ReadManifest());
  if (!manifest_ok_) return std::move(report_);
  // The transaction starts before the stored roster is read, so that what is validated against is
  // what is written to.
  HR_ASSIGN_OR_RETURN(int64_t previous_cache,
                      writer_.SetPageCacheKiB(static_cast<int64_t>(options_.db_cache_bytes >> 10)));
  struct CacheRestorer {
    store::RosterWriter& writer;
    int64_t previous;
    ~CacheRestorer() { (void)writer.RestorePageCache(previous); }
  } restore_cache{writer_, previous_cache};
  HR_RETURN_IF_ERROR(conn_.Begin());
  auto fail = [&](Status s) -> Status {
    (void)conn_.Rollback();
    return s;
  };
  if (Status s = LoadExisting(); !s.ok()) return fail(s);
  ReadOrgs();
  ReadSessions();
  ReadCourses();
  ReadClasses();
  ReadUsers();
  CheckUsernames();
  ResolveAgents();
  ReadEnrollments();
  if (report_.problem_count > 0) {
    HR_RETURN_IF_ERROR(conn_.Rollback());
    return std::move(report_);
  }
  if (Status s = Apply(); !s.ok()) return fail(s);
  if (options_.dry_run) {
    HR_RETURN_IF_ERROR(conn_.Rollback());
    return std::move(report_);
  }
  const int64_t finished_ms =
      options_.now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started_)
                            .count();
  if (Status s = writer_.InsertImportRun(options_.now_ms, finished_ms, source_system_,
                                         report_.SummaryJson());
      !s.ok()) {
    return fail(s);
  }
  if (Status s = conn_.Commit(); !s.ok()) return fail(s);
  report_.applied = true;
  return std::move(report_);
}

}  // namespace

std::string ImportReport::Summary() const {
  std::string out;
  if (problem_count > 0) {
    out += fmt::format("Import refused: {} problem{} found; nothing was changed.\n", problem_count,
                       problem_count == 1 ? "" : "s");
    for (const std::string& p : problems) out += p + "\n";
    int64_t more = problem_count - static_cast<int64_t>(problems.size());
    if (more > 0) out += fmt::format("... and {} more problems\n", more);
    return out;
  }
  out += applied   ? "Import applied.\n"
         : dry_run ? "Dry run: nothing was changed; this is what the import would do.\n"
                   : "Import not applied.\n";
  out += fmt::format("{:<18}{:>10}{:>10}{:>13}{:>11}\n", "entity", "created", "updated",
                     "deactivated", "unchanged");
  for (const char* entity : {"orgs", "academicSessions", "courses", "classes", "users",
                             "enrollments", "guardianLinks"}) {
    auto it = counts.find(entity);
    EntityCounts c = it == counts.end() ? EntityCounts{} : it->second;
    out += fmt::format("{:<18}{:>10}{:>10}{:>13}{:>11}\n", entity, c.created, c.updated,
                       c.deactivated, c.unchanged);
  }
  return out;
}

std::string ImportReport::SummaryJson() const {
  std::string out =
      fmt::format("{{\"applied\":{},\"dry_run\":{},\"problem_count\":{},\"counts\":{{",
                  applied ? "true" : "false", dry_run ? "true" : "false", problem_count);
  bool first = true;
  for (const auto& [entity, c] : counts) {  // entity names are fixed ASCII identifiers
    out += fmt::format(
        "{}\"{}\":{{\"created\":{},\"updated\":{},\"deactivated\":{},"
        "\"unchanged\":{}}}",
        first ? "" : ",", entity, c.created, c.updated, c.deactivated, c.unchanged);
    first = false;
  }
  out += "}}";
  return out;
}

Result<ImportReport> ImportOneRoster(sql::Connection& conn, const ImportOptions& options) {
  ImporterMetrics m(options.metrics);
  auto start = std::chrono::steady_clock::now();
  ImportRun run(conn, options);
  Result<ImportReport> result = run.Run();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (m.seconds) m.seconds->Observe(seconds);
  if (!result.ok()) {
    m.Inc(m.imports_failed);
    log::Warn("roster_import_failed",
              {{"path", options.path}, {"error", result.status().ToString()}});
    return result;
  }
  const ImportReport& report = *result;
  m.Inc(m.problems, report.problem_count);
  if (report.problem_count > 0) {
    m.Inc(m.imports_rejected);
  } else if (report.applied) {
    m.Inc(m.imports_applied);
    int64_t written = 0;
    for (const auto& [entity, c] : report.counts) written += c.created + c.updated + c.deactivated;
    m.Inc(m.rows_written, written);
  }
  log::Info("roster_import", {{"path", options.path},
                              {"applied", report.applied},
                              {"problems", report.problem_count},
                              {"seconds", seconds}});
  return result;
}

}  // namespace homeroom::roster
