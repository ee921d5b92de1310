#include "domain/grades.h"

#include <fmt/format.h>

namespace homeroom::domain {

const char* GradeBandName(GradeBand band) { return band == GradeBand::kPreK5 ? "prek-5" : "6-12"; }

GradeBand BandOfGrade(int grade_level) {
  return grade_level <= 5 ? GradeBand::kPreK5 : GradeBand::k6To12;
}

std::vector<GradeBand> BandsOfRange(std::optional<int> low, std::optional<int> high) {
  std::vector<GradeBand> bands;
  if (!low && !high) return bands;
  int lo = low.value_or(*high);
  int hi = high.value_or(*low);
  if (lo <= 5) bands.push_back(GradeBand::kPreK5);
  if (hi >= 6) bands.push_back(GradeBand::k6To12);
  return bands;
}

std::string GradeCode(int grade_level) {
  if (grade_level < 0) return "PK";
  if (grade_level == 0) return "KG";
  return fmt::format("{:02}", grade_level);
}

}  // namespace homeroom::domain
