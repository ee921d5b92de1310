#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "domain/live_calendar.h"
#include "store/alerts_store.h"
#include "store/database.h"

namespace homeroom::domain {

// Alerts for families (docs/api.md, "Alerts"): for each of a guardian's children (or a student
// themself), the live sessions of the last days they missed and the work past due they never
// turned in, newest first. A missed session is not an alert when a teacher marked that day present
// (daily attendance's override: "joined by phone"). Computed when asked; nothing to dismiss.

struct AlertOptions {
  // How far back alerts reach.
  int lookback_days = 14;
  // Most alerts one answer holds (newest first).
  size_t max_alerts = 50;
};

class AlertService {
 public:
  AlertService(store::Database& db, const Clock& clock, DistrictZone zone, AlertOptions options)
      : db_(db), clock_(clock), zone_(std::move(zone)), options_(options) {}

  const AlertOptions& options() const { return options_; }

  // The alerts of these students (at most max_alerts, newest first).
  boost::asio::awaitable<Result<std::vector<store::AlertRecord>>> ForStudents(
      std::vector<int64_t> student_ids);

 private:
  store::Database& db_;
  const Clock& clock_;
  DistrictZone zone_;
  AlertOptions options_;
};

}  // namespace homeroom::domain
