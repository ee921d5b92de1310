#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace homeroom::domain {

// The two grade bands the district decides by: Pre-K-5 (elementary) and 6-12 (secondary).
enum class GradeBand { kPreK5, k6To12 };

// "prek-5" | "6-12": the names used in the API and in settings.
const char* GradeBandName(GradeBand band);

// The band of one grade level (-1 pre-K, 0 K, 1..13).
GradeBand BandOfGrade(int grade_level);

// The bands a grade range touches (a K-8 school is in both), in order.
std::vector<GradeBand> BandsOfRange(std::optional<int> low, std::optional<int> high);

// "PK", "KG", "01".."12", "13" for a grade level; the OneRoster codes.
std::string GradeCode(int grade_level);

}  // namespace homeroom::domain
