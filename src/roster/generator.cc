#include "roster/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace homeroom::roster {
namespace {

// ---- Shape of the district (Miami-Dade County Public Schools, 2024-25) ----
constexpr double kFullStudents = 345000;
constexpr double kFullElementary = 230, kFullMiddle = 82, kFullHigh = 80;  // 392 schools
constexpr int kMaxSection = 30;            // students per section: 20-30 (fewer only when few)
constexpr int kElementaryTeacherLoad = 1;  // homeroom teachers teach their own homeroom
constexpr int kSpecialsTeacherLoad = 12;   // art and music teachers see many homerooms
constexpr int kSecondaryTeacherLoad = 5;   // sections per middle/high teacher
constexpr int kCoTeachEvery = 12;          // one section in 12 has a second (non-primary) teacher
constexpr int kDistrictAdminsFull = 20;

// ---- Names: English, Spanish and Haitian Creole naming ----
struct Culture {
  std::vector<std::string_view> given;
  std::vector<std::string_view> family;
};
const Culture& English() {
  static const Culture c{
      {"James",     "Olivia",   "Liam",     "Emma",    "Noah",    "Ava",       "William", "Sophia",
       "Elijah",    "Isabella", "Benjamin", "Mia",     "Lucas",   "Charlotte", "Henry",   "Amelia",
       "Alexander", "Harper",   "Mason",    "Evelyn",  "Michael", "Abigail",   "Ethan",   "Emily",
       "Daniel",    "Ella",     "Jacob",    "Madison", "Logan",   "Chloe",     "Jackson", "Grace",
       "Aiden",     "Zoe",      "Samuel",   "Nora",    "Tyler",   "Hannah"},
      {"Smith",    "Johnson",  "Williams", "Brown",  "Jones",    "Miller",   "Davis",
       "Wilson",   "Anderson", "Taylor",   "Thomas", "Moore",    "Jackson",  "Martin",
       "Thompson", "White",    "Harris",   "Clark",  "Lewis",    "Robinson", "Walker",
       "Young",    "Allen",    "King",     "Wright", "Scott",    "O'Brien",  "Green",
       "Baker",    "Adams",    "Nelson",   "Carter", "Mitchell", "Campbell", "Roberts"}};
  return c;
}
const Culture& Spanish() {
  static const Culture c{
      {"José",      "María",    "Juan",      "Sofía",    "Luis",   "Valentina", "Carlos", "Camila",
       "Jesús",     "Lucía",    "Miguel",    "Isabel",   "Andrés", "Ximena",    "Ángel",  "Daniela",
       "Alejandro", "Gabriela", "Sebastián", "Mariana",  "Diego",  "Natalia",   "Matías", "Renata",
       "Nicolás",   "Victoria", "Joaquín",   "Paula",    "Tomás",  "Inés",      "Raúl",   "Begoña",
       "Óscar",     "Mónica",   "Adrián",    "Verónica", "Iván",   "Yesenia",   "Héctor", "Noemí"},
      {"García",   "Rodríguez", "Martínez", "Hernández", "López",  "González",   "Pérez",
       "Sánchez",  "Ramírez",   "Torres",   "Flores",    "Rivera", "Gómez",      "Díaz",
       "Cruz",     "Morales",   "Reyes",    "Gutiérrez", "Ortiz",  "Jiménez",    "Núñez",
       "Castillo", "Vázquez",   "Ibáñez",   "Peña",      "Muñoz",  "Fernández",  "Suárez",
       "Álvarez",  "Domínguez", "Méndez",   "Castañeda", "Lóperz", "De la Cruz", "Valdés",
       "Cabrera",  "Fuentes"}};
  return c;
}
const Culture& Creole() {
  static const Culture c{
      {"Wideline",  "Dieudonné", "Jean",        "Marie",    "Wilner",  "Nadège",
       "Fritznel",  "Mirlande",  "Jean-Pierre", "Roseline", "Wisly",   "Guerline",
       "Ketly",     "Frantz",    "Stéphanie",   "Wilson",   "Jude",    "Loudine",
       "Mackenson", "Fabiola",   "Evens",       "Rose-Mie", "Jameson", "Kettelie",
       "Ricardo",   "Myrlande",  "Réginald",    "Nathalie", "Jodel",   "Sherline",
       "Emmanuel",  "Bérénice",  "Sonel",       "Darline",  "Widmarc", "Esther"},
      {"Jean-Baptiste", "Pierre",     "Joseph",    "Louis",     "Charles",   "Saint-Fleur",
       "Baptiste",      "Desir",      "Francois",  "Dorcéus",   "Étienne",   "Alexis",
       "Augustin",      "Toussaint",  "Célestin",  "Noël",      "Michel",    "Desrosiers",
       "Metellus",      "Jean-Louis", "Fils-Aimé", "Lafortune", "Bien-Aimé", "Dieujuste",
       "Paul",          "Dorvil",     "Innocent",  "Exantus",   "Théodore",  "Saint-Louis"}};
  return c;
}

// Deterministic on every platform (std:: distributions are not): splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

// Folds the accented letters of the name lists to ASCII for usernames ("José" -> "jose").
std::string UsernamePart(std::string_view name) {
  static const std::pair<std::string_view, char> kFold[] = {
      {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"Á", 'a'}, {"é", 'e'}, {"è", 'e'},
      {"ê", 'e'}, {"ë", 'e'}, {"É", 'e'}, {"í", 'i'}, {"ï", 'i'}, {"î", 'i'}, {"Í", 'i'},
      {"ó", 'o'}, {"ô", 'o'}, {"ö", 'o'}, {"Ó", 'o'}, {"ú", 'u'}, {"ü", 'u'}, {"û", 'u'},
      {"Ú", 'u'}, {"ñ", 'n'}, {"Ñ", 'n'}, {"ç", 'c'}, {"Ç", 'c'}, {"Á", 'a'}};
  std::string out;
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
      ++i;
      continue;
    }
    bool folded = false;
    for (const auto& [from, to] : kFold) {
      if (name.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        folded = true;
        break;
      }
    }
    if (!folded) ++i;  // other non-ASCII bytes are dropped
  }
  return out;
}

// A CSV file written through a buffer; fields are quoted only when they must be.
class CsvOut {
 public:
  ~CsvOut() {
    if (file_) std::fclose(file_);
  }
  Status Open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_) return Status::Internal(fmt::format("cannot write {}", path));
    path_ = path;
    return Status::Ok();
  }
  CsvOut& F(std::string_view v) {
    if (!first_) buf_ += ',';
    first_ = false;
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
      buf_ += v;
    } else {
      buf_ += '"';
      for (char c : v) {
        if (c == '"') buf_ += '"';
        buf_ += c;
      }
      buf_ += '"';
    }
    return *this;
  }
  CsvOut& F(int64_t v) { return F(std::string_view(fmt::format("{}", v))); }
  void End() {
    buf_ += "\r\n";
    first_ = true;
    if (buf_.size() > (1 << 20)) Flush();
  }
  void Row(std::initializer_list<std::string_view> fields) {
    for (std::string_view f : fields) F(f);
    End();
  }
  Status Close() {
    Flush();
    bool ok = !failed_ && std::fclose(file_) == 0;
    file_ = nullptr;
    return ok ? Status::Ok() : Status::Internal(fmt::format("cannot write {}", path_));
  }

 private:
  void Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
      failed_ = true;
    }
    buf_.clear();
  }
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string buf_;
  bool first_ = true;
  bool failed_ = false;
};

std::string GradeCode(int level) {
  if (level < 0) return "PK";
  if (level == 0) return "KG";
  return fmt::format("{:02}", level);
}

enum class Kind { kElementary, kMiddle, kHigh };

struct School {
  std::string sid, name;
  Kind kind;
  int students = 0;
  std::vector<int> teachers;  // indices into people
};

struct Person {
  std::string sid, role, given, family, middle, username, identifier, email, grades;
  std::vector<std::string> orgs;
  std::vector<int> agents;  // indices into people
  std::string password;
};

struct Course {
  std::string sid, title, code, grades, school_sid;
};

struct Section {
  std::string sid, title, course_sid, school_sid, grades, terms, periods, location, type;
  std::vector<int> students;
  std::vector<std::pair<int, bool>> teachers;  // person, primary
};

struct Subject {
  std::string_view title;
  std::string_view code;
  int load;      // sections per teacher
  int semester;  // 0 year-long, 1 or 2: that semester only
};

class Generator {
 public:
  explicit Generator(const GenerateOptions& o) : options_(o), rng_(o.seed) {}
  Result<std::vector<GeneratedLogin>> Run();

 private:
  const Culture& PickCulture() {
    double x = static_cast<double>(rng_.Below(100));
    return x < 45 ? Spanish() : x < 80 ? English() : Creole();
  }
  // "given.family", with a number appended from the second person of that name on.
  std::string UniqueUsername(std::string_view given, std::string_view family);
  int NewPerson(std::string role, std::string_view given, std::string_view family);
  void MakeSchools();
  void MakeStudents();
  void MakeSections();
  void MakeFamilies();
  void MakeAdmins();
  Status Write();

  const GenerateOptions& options_;
  Rng rng_;
  std::vector<School> schools_;
  std::vector<Person> people_;
  std::vector<Course> courses_;
  std::vector<Section> sections_;
  std::map<std::pair<int, int>, std::vector<int>> roster_;  // (school, grade) -> students
  std::unordered_map<std::string, int> username_counts_;
  std::map<std::string, int> counters_;
};

std::string Generator::UniqueUsername(std::string_view given, std::string_view family) {
  std::string base = UsernamePart(given) + "." + UsernamePart(family);
  int& count = username_counts_[base];
  ++count;
  return count == 1 ? base : fmt::format("{}{}", base, count);
}

int Generator::NewPerson(std::string role, std::string_view given, std::string_view family) {
  Person p;
  static const std::map<std::string, std::string_view> kPrefix = {
      {"student", "stu"}, {"guardian", "gdn"}, {"parent", "gdn"},
      {"teacher", "tch"}, {"aide", "aid"},     {"administrator", "adm"}};
  std::string_view prefix = kPrefix.at(role);
  int n = ++counters_[std::string(prefix)];
  p.sid = fmt::format("{}-{:07}", prefix, n);
  p.role = std::move(role);
  p.given = std::string(given);
  p.family = std::string(family);
  p.username = UniqueUsername(given, family);
  if (options_.with_passwords) {
    static const std::vector<std::string_view> kWords = {
        "mango", "palm",    "coral",   "heron",  "breeze", "harbor", "sunny", "tide",
        "lime",  "pelican", "manatee", "orchid", "reef",   "sail",   "guava", "lagoon"};
    p.password = fmt::format("{}-{}-{:02}", rng_.Pick(kWords), rng_.Pick(kWords), rng_.Below(100));
  }
  people_.push_back(std::move(p));
  return static_cast<int>(people_.size()) - 1;
}

void Generator::MakeSchools() {
  double f = static_cast<double>(options_.students) / kFullStudents;
  auto count = [&](double full) { return std::max(1, static_cast<int>(std::lround(full * f))); };
  int n_el = count(kFullElementary), n_ms = count(kFullMiddle), n_hs = count(kFullHigh);
  static const std::vector<std::string_view> kPlaces = {
      "Coral Way",    "Little Havana", "Hialeah",    "Kendall",      "Homestead",
      "Little Haiti", "Miami Gardens", "Doral",      "Westchester",  "Allapattah",
      "Liberty City", "Coconut Grove", "Cutler Bay", "North Miami",  "Sweetwater",
      "Flagami",      "Opa-locka",     "Pinecrest",  "Palmetto Bay", "Overtown"};
  static const std::vector<std::string_view> kPeople = {"José Martí",
                                                        "Toussaint L'Ouverture",
                                                        "Mary McLeod Bethune",
                                                        "Roberto Clemente",
                                                        "Celia Cruz",
                                                        "Jean-Baptiste Point du Sable",
                                                        "Marjory Stoneman Douglas",
                                                        "Frederick Douglass",
                                                        "Gloria Estefan",
                                                        "Dieudonné Fabre"};
  auto add = [&](Kind kind, int n, std::string_view suffix) {
    for (int i = 0; i < n; ++i) {
      School s;
      s.kind = kind;
      s.sid = fmt::format("sch-{:04}", schools_.size() + 1);
      std::string_view who = i % 3 == 0 ? rng_.Pick(kPeople) : rng_.Pick(kPlaces);
      s.name = fmt::format("{} {} {}", who, suffix, i + 1);
      schools_.push_back(std::move(s));
    }
  };
  add(Kind::kElementary, n_el, "Elementary");
  add(Kind::kMiddle, n_ms, "Middle");
  add(Kind::kHigh, n_hs, "Senior High");
}

void Generator::MakeStudents() {
  // Students per grade: PK is half a cohort, KG..12 a full one each (13.5 cohorts).
  std::vector<int64_t> per_grade(14);
  int64_t assigned = 0;
  for (int g = -1; g <= 12; ++g) {
    double w = g < 0 ? 0.5 : 1.0;
    per_grade[g + 1] =
        static_cast<int64_t>(std::floor(static_cast<double>(options_.students) * w / 13.5));
    assigned += per_grade[g + 1];
  }
  for (int64_t i = 0; assigned < options_.students; ++i, ++assigned) per_grade[1 + (i % 13)]++;
  for (int g = -1; g <= 12; ++g) {
    Kind kind = g <= 5 ? Kind::kElementary : g <= 8 ? Kind::kMiddle : Kind::kHigh;
    std::vector<int> schools;
    for (size_t s = 0; s < schools_.size(); ++s) {
      if (schools_[s].kind == kind) schools.push_back(static_cast<int>(s));
    }
    int64_t n = per_grade[g + 1];
    for (size_t k = 0; k < schools.size(); ++k) {
      int64_t share = n / static_cast<int64_t>(schools.size()) +
                      (static_cast<int64_t>(k) < n % static_cast<int64_t>(schools.size()) ? 1 : 0);
      int school = schools[k];
      for (int64_t j = 0; j < share; ++j) {
        const Culture& c = PickCulture();
        int p = NewPerson("student", rng_.Pick(c.given), rng_.Pick(c.family));
        Person& st = people_[p];
        st.orgs = {schools_[school].sid};
        st.grades = GradeCode(g);
        st.identifier = fmt::format("{:07}", 1000000 + counters_["stu"]);
        st.email = st.username + "@students.dadeschools.example";
        if (rng_.Chance(0.3)) st.middle = std::string(rng_.Pick(c.given));
        roster_[{school, g}].push_back(p);
        schools_[school].students++;
      }
    }
  }
}

void Generator::MakeSections() {
  static const std::vector<Subject> kElementary = {
      {"Homeroom", "HR", kElementaryTeacherLoad, 0},
      {"Art", "ART", kSpecialsTeacherLoad, 0},
      {"Music", "MUS", kSpecialsTeacherLoad, 0},
      {"Physical Education", "PE", kSpecialsTeacherLoad, 0}};
  static const std::vector<Subject> kMiddle = {
      {"Mathematics", "MA", kSecondaryTeacherLoad, 0},
      {"Language Arts", "LA", kSecondaryTeacherLoad, 0},
      {"Science", "SC", kSecondaryTeacherLoad, 0},
      {"Civics and World History", "SS", kSecondaryTeacherLoad, 0},
      {"Physical Education", "PE", kSecondaryTeacherLoad, 0},
      {"Spanish", "WL", kSecondaryTeacherLoad, 0},
      {"Band", "EL", kSecondaryTeacherLoad, 0}};
  static const std::vector<Subject> kHigh = {
      {"English", "EN", kSecondaryTeacherLoad, 0},
      {"Algebra and Geometry", "MA", kSecondaryTeacherLoad, 0},
      {"Biology and Chemistry", "SC", kSecondaryTeacherLoad, 0},
      {"World and U.S. History", "SS", kSecondaryTeacherLoad, 0},
      {"Spanish, French or Haitian Creole", "WL", kSecondaryTeacherLoad, 0},
      {"Physical Education", "PE", kSecondaryTeacherLoad, 1},
      {"Health", "HE", kSecondaryTeacherLoad, 2},
      {"Elective", "EL", kSecondaryTeacherLoad, 0}};
  for (size_t s = 0; s < schools_.size(); ++s) {
    School& school = schools_[s];
    const std::vector<Subject>& subjects = school.kind == Kind::kElementary ? kElementary
                                           : school.kind == Kind::kMiddle   ? kMiddle
                                                                            : kHigh;
    // Teacher currently filling up, by subject code.
    std::map<std::string_view, std::pair<int, int>> current;  // code -> (teacher, sections left)
    for (int g = -1; g <= 12; ++g) {
      auto it = roster_.find({static_cast<int>(s), g});
      if (it == roster_.end()) continue;
      const std::vector<int>& students = it->second;
      int n = static_cast<int>(students.size());
      int k = std::max(1, (n + kMaxSection - 1) / kMaxSection);
      for (size_t si = 0; si < subjects.size(); ++si) {
        const Subject& subj = subjects[si];
        Course c;
        c.sid = fmt::format("crs-{}-{}-{}", school.sid.substr(4), GradeCode(g), subj.code);
        c.title = fmt::format("{} {}", subj.title,
                              g < 0    ? "Pre-K"
                              : g == 0 ? "Kindergarten"
                                       : fmt::format("Grade {}", g));
        if (subj.semester) c.sid += fmt::format("-S{}", subj.semester);
        c.code = fmt::format("{}{}", subj.code, GradeCode(g));
        c.grades = GradeCode(g);
        c.school_sid = school.sid;
        for (int j = 0; j < k; ++j) {
          Section sec;
          sec.sid = fmt::format("cls-{:07}", sections_.size() + 1);
          sec.title = fmt::format("{} - {}", c.title, static_cast<char>('A' + j % 26));
          if (j >= 26) sec.title += fmt::format("{}", j / 26);
          sec.course_sid = c.sid;
          sec.school_sid = school.sid;
          sec.grades = c.grades;
          sec.type = subj.code == "HR" ? "homeroom" : "scheduled";
          sec.terms = subj.semester == 0 ? "sem-2026-1,sem-2026-2"
                                         : fmt::format("sem-2026-{}", subj.semester);
          sec.periods = school.kind == Kind::kElementary ? "1" : fmt::format("{}", si % 7 + 1);
          sec.location = fmt::format("Room {}", 100 + (sections_.size() % 300));
          sections_.push_back(std::move(sec));
        }
        // Round robin, rotated per subject so that groups mix.
        size_t first = sections_.size() - static_cast<size_t>(k);
        for (int idx = 0; idx < n; ++idx) {
          int offset = school.kind == Kind::kElementary ? 0 : static_cast<int>(si);
          sections_[first + static_cast<size_t>((idx + offset) % k)].students.push_back(
              students[static_cast<size_t>(idx)]);
        }
        // Teachers: a new one whenever the current one of the subject is full.
        for (int j = 0; j < k; ++j) {
          auto& [teacher, left] = current[subj.code];
          if (left == 0) {
            const Culture& cu = PickCulture();
            teacher = NewPerson("teacher", rng_.Pick(cu.given), rng_.Pick(cu.family));
            people_[teacher].orgs = {school.sid};
            people_[teacher].email = people_[teacher].username + "@dadeschools.example";
            people_[teacher].identifier = fmt::format("E{:06}", counters_["tch"]);
            school.teachers.push_back(teacher);
            left = subj.load;
          }
          --left;
          sections_[first + static_cast<size_t>(j)].teachers.emplace_back(teacher, true);
        }
        courses_.push_back(std::move(c));
      }
    }
  }
  // Co-teachers, and an aide in every pre-K homeroom.
  for (size_t i = 0; i < sections_.size(); ++i) {
    Section& sec = sections_[i];
    if (sec.type == "homeroom" && sec.grades == "PK") {
      const Culture& cu = PickCulture();
      int aide = NewPerson("aide", rng_.Pick(cu.given), rng_.Pick(cu.family));
      people_[aide].orgs = {sec.school_sid};
      sec.teachers.emplace_back(aide, false);
    } else if (i % kCoTeachEvery == 5) {
      int school = std::stoi(sec.school_sid.substr(4)) - 1;
      const std::vector<int>& pool = schools_[static_cast<size_t>(school)].teachers;
      int other = rng_.Pick(pool);
      if (other != sec.teachers.front().first) sec.teachers.emplace_back(other, false);
    }
  }
}

void Generator::MakeFamilies() {
  std::vector<int> students;
  for (size_t i = 0; i < people_.size(); ++i) {
    if (people_[i].role == "student") students.push_back(static_cast<int>(i));
  }
  for (size_t i = students.size(); i > 1; --i) std::swap(students[i - 1], students[rng_.Below(i)]);
  size_t pos = 0;
  int family = 0;
  while (pos < students.size()) {
    size_t roll = rng_.Below(100);
    size_t size = roll < 35 ? 1 : roll < 75 ? 2 : 3;
    size = std::min(size, students.size() - pos);
    const Culture& cu = PickCulture();
    std::string family_name(rng_.Pick(cu.family));
    std::vector<int> children(students.begin() + static_cast<long>(pos),
                              students.begin() + static_cast<long>(pos + size));
    pos += size;
    int guardians = rng_.Chance(0.38) ? 2 : 1;
    std::vector<std::string> child_schools;
    for (int child : children) {
      Person& p = people_[child];
      p.family = family_name;  // siblings share the family name, and so does the username
      p.username = UniqueUsername(p.given, p.family);
      if (std::find(child_schools.begin(), child_schools.end(), p.orgs[0]) == child_schools.end()) {
        child_schools.push_back(p.orgs[0]);
      }
    }
    for (int gi = 0; gi < guardians; ++gi) {
      std::string gfamily =
          gi == 0 || rng_.Chance(0.7) ? family_name : std::string(rng_.Pick(cu.family));
      int g = NewPerson(rng_.Chance(0.5) ? "guardian" : "parent", rng_.Pick(cu.given), gfamily);
      Person& gp = people_[g];
      gp.orgs = child_schools;
      if (rng_.Chance(0.6)) gp.email = gp.username + "@example.com";
      // Exports fill the link from either side (or both): exercise all three.
      int side = family % 3;
      for (int child : children) {
        if (side != 1) people_[child].agents.push_back(g);
        if (side != 0) gp.agents.push_back(child);
      }
    }
    ++family;
  }
}

void Generator::MakeAdmins() {
  for (School& school : schools_) {
    int n = 1 + (school.students > 900 ? 1 : 0);
    for (int i = 0; i < n; ++i) {
      const Culture& cu = PickCulture();
      int a = NewPerson("administrator", rng_.Pick(cu.given), rng_.Pick(cu.family));
      people_[a].orgs = {school.sid};
      people_[a].email = people_[a].username + "@dadeschools.example";
    }
  }
  double f = static_cast<double>(options_.students) / kFullStudents;
  int n = std::max(2, static_cast<int>(std::lround(kDistrictAdminsFull * f)));
  for (int i = 0; i < n; ++i) {
    const Culture& cu = PickCulture();
    int a = NewPerson("administrator", rng_.Pick(cu.given), rng_.Pick(cu.family));
    people_[a].orgs = {"org-district"};
    people_[a].email = people_[a].username + "@dadeschools.example";
  }
}

Status Generator::Write() {
  std::error_code ec;
  std::filesystem::create_directories(options_.out_dir, ec);
  if (ec)
    return Status::Internal(fmt::format("cannot create {}: {}", options_.out_dir, ec.message()));
  const std::string dir = options_.out_dir + "/";
  constexpr std::string_view kModified = "2025-08-01T00:00:00Z";

  CsvOut manifest;
  HR_RETURN_IF_ERROR(manifest.Open(dir + "manifest.csv"));
  manifest.Row({"propertyName", "value"});
  for (auto [k, v] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"manifest.version", "1.0"},
           {"oneroster.version", "1.1"},
           {"file.academicSessions", "bulk"},
           {"file.categories", "absent"},
           {"file.classes", "bulk"},
           {"file.classResources", "absent"},
           {"file.courses", "bulk"},
           {"file.courseResources", "absent"},
           {"file.demographics", "absent"},
           {"file.enrollments", "bulk"},
           {"file.lineItems", "absent"},
           {"file.orgs", "bulk"},
           {"file.resources", "absent"},
           {"file.results", "absent"},
           {"file.users", "bulk"},
           {"source.systemName", "Homeroom synthetic district"},
           {"source.systemCode", "homeroom-generator"}}) {
    manifest.Row({k, v});
  }
  HR_RETURN_IF_ERROR(manifest.Close());

  CsvOut orgs;
  HR_RETURN_IF_ERROR(orgs.Open(dir + "orgs.csv"));
  orgs.Row(
      {"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"});
  orgs.Row({"org-district", "active", kModified, "Miami-Dade County Public Schools (synthetic)",
            "district", "13", ""});
  for (const School& s : schools_) {
    orgs.Row({s.sid, "active", kModified, s.name, "school", s.sid.substr(4), "org-district"});
  }
  HR_RETURN_IF_ERROR(orgs.Close());

  CsvOut sessions;
  HR_RETURN_IF_ERROR(sessions.Open(dir + "academicSessions.csv"));
  sessions.Row({"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                "parentSourcedId", "schoolYear"});
  sessions.Row({"sy-2026", "active", kModified, "2025-2026", "schoolYear", "2025-08-18",
                "2026-06-04", "", "2026"});
  sessions.Row({"sem-2026-1", "active", kModified, "Fall 2025", "semester", "2025-08-18",
                "2026-01-16", "sy-2026", "2026"});
  sessions.Row({"sem-2026-2", "active", kModified, "Spring 2026", "semester", "2026-01-20",
                "2026-06-04", "sy-2026", "2026"});
  HR_RETURN_IF_ERROR(sessions.Close());

  CsvOut courses;
  HR_RETURN_IF_ERROR(courses.Open(dir + "courses.csv"));
  courses.Row({"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
               "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"});
  for (const Course& c : courses_) {
    courses.Row(
        {c.sid, "active", kModified, "sy-2026", c.title, c.code, c.grades, c.school_sid, "", ""});
  }
  HR_RETURN_IF_ERROR(courses.Close());

  CsvOut classes;
  HR_RETURN_IF_ERROR(classes.Open(dir + "classes.csv"));
  classes.Row({"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
               "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
               "subjects", "subjectCodes", "periods"});
  for (const Section& s : sections_) {
    classes.Row({s.sid, "active", kModified, s.title, s.grades, s.course_sid, s.sid.substr(4),
                 s.type, s.location, s.school_sid, s.terms, "", "", s.periods});
  }
  HR_RETURN_IF_ERROR(classes.Close());

  CsvOut users;
  HR_RETURN_IF_ERROR(users.Open(dir + "users.csv"));
  for (std::string_view h :
       {"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
        "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email",
        "sms", "phone", "agentSourcedIds", "grades"}) {
    users.F(h);
  }
  if (options_.with_passwords) users.F("password");  // demos only
  users.End();
  std::string orgs_list, agents_list;
  for (const Person& p : people_) {
    orgs_list.clear();
    for (const std::string& o : p.orgs) {
      if (!orgs_list.empty()) orgs_list += ',';
      orgs_list += o;
    }
    agents_list.clear();
    for (int a : p.agents) {
      if (!agents_list.empty()) agents_list += ',';
      agents_list += people_[static_cast<size_t>(a)].sid;
    }
    users.F(p.sid).F("active").F(kModified).F("true").F(orgs_list).F(p.role).F(p.username);
    users.F("").F(p.given).F(p.family).F(p.middle).F(p.identifier).F(p.email).F("").F("");
    users.F(agents_list).F(p.grades);
    if (options_.with_passwords) users.F(p.password);
    users.End();
  }
  HR_RETURN_IF_ERROR(users.Close());

  CsvOut enrollments;
  HR_RETURN_IF_ERROR(enrollments.Open(dir + "enrollments.csv"));
  enrollments.Row({"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
                   "userSourcedId", "role", "primary", "beginDate", "endDate"});
  int64_t n = 0;
  for (const Section& sec : sections_) {
    for (const auto& [t, primary] : sec.teachers) {
      enrollments.F(fmt::format("enr-{:08}", ++n)).F("active").F(kModified).F(sec.sid);
      enrollments.F(sec.school_sid).F(people_[static_cast<size_t>(t)].sid).F("teacher");
      enrollments.F(primary ? "true" : "false").F("").F("");
      enrollments.End();
    }
    for (int st : sec.students) {
      enrollments.F(fmt::format("enr-{:08}", ++n)).F("active").F(kModified).F(sec.sid);
      enrollments.F(sec.school_sid).F(people_[static_cast<size_t>(st)].sid).F("student");
      enrollments.F("false").F("").F("");
      enrollments.End();
    }
  }
  return enrollments.Close();
}

Result<std::vector<GeneratedLogin>> Generator::Run() {
  if (options_.students < 1) return Status::InvalidArgument("students must be at least 1");
  if (options_.out_dir.empty()) return Status::InvalidArgument("out_dir is required");
  MakeSchools();
  MakeStudents();
  MakeSections();
  MakeFamilies();
  MakeAdmins();
  HR_RETURN_IF_ERROR(Write());
  std::vector<GeneratedLogin> logins;
  if (!options_.with_passwords) return logins;
  // The demo's people belong together, so that what one does the others see: the teacher of the
  // first section that has students, a student of that section with a guardian, that guardian,
  // and an administrator of the section's school.
  auto login = [&](int person, std::string_view homeroom_role) {
    const Person& p = people_[static_cast<size_t>(person)];
    logins.push_back({std::string(homeroom_role), p.username, p.password});
  };
  auto guardian_of = [&](int student) {
    const auto& own = people_[static_cast<size_t>(student)].agents;
    if (!own.empty()) return own.front();
    for (size_t g = 0; g < people_.size(); ++g) {
      const auto& agents = people_[g].agents;
      if ((people_[g].role == "guardian" || people_[g].role == "parent") &&
          std::find(agents.begin(), agents.end(), student) != agents.end()) {
        return static_cast<int>(g);
      }
    }
    return -1;
  };
  for (const Section& sec : sections_) {
    if (sec.teachers.empty()) continue;
    for (int student : sec.students) {
      int guardian = guardian_of(student);
      if (guardian < 0) continue;
      int admin = -1;
      for (size_t i = 0; i < people_.size() && admin < 0; ++i) {
        if (people_[i].role == "administrator" && people_[i].orgs.front() == sec.school_sid) {
          admin = static_cast<int>(i);
        }
      }
      if (admin < 0) continue;
      login(student, "student");
      login(guardian, "guardian");
      login(sec.teachers.front().first, "teacher");
      login(admin, "school_admin");
      break;
    }
    if (!logins.empty()) break;
  }
  auto first = [&](std::string_view role, std::string_view homeroom_role, bool district) {
    for (const Person& p : people_) {
      if (p.role != role) continue;
      if (role == "administrator" && (p.orgs.front() == "org-district") != district) continue;
      logins.push_back({std::string(homeroom_role), p.username, p.password});
      return;
    }
  };
  if (logins.empty()) {  // a district too small to have such a section
    first("student", "student", false);
    first("guardian", "guardian", false);
    first("teacher", "teacher", false);
    first("administrator", "school_admin", false);
  }
  first("administrator", "district_admin", true);
  return logins;
}

}  // namespace

Result<std::vector<GeneratedLogin>> GenerateDistrict(const GenerateOptions& options) {
  Generator generator(options);
  return generator.Run();
}

}  // namespace homeroom::roster
