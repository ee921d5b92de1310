#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "storm/config.h"
#include "storm/storm.h"

namespace homeroom::storm {

// The report of a run as JSON (docs/storm.md, "The JSON report"):
//   {"tool","version","target","config":{...},"setup":{...},
//    "legit":{"total":STATS,"streams":{"api":STATS,"login":STATS,"live_connect":STATS,"chat":STATS}},
//    "attacks":{"<kind>":{"rate","sources","connections","stats":STATS}},
//    "detection":{"status":"n/a"|"detected"|"not_detected","seconds","before","after",...},
//    "storm":{"peak_connections","capped_connections","max_connections"},"notes":[...]}
// where STATS is TrafficStats::ToJson(). Thread-safe once the run is over.
boost::json::object ReportJson(const StormConfig& config, const StormResult& result);

// The same as tables for a terminal.
std::string ReportTable(const StormConfig& config, const StormResult& result);

// Writes ReportJson to `path`; kUnavailable when the file cannot be written.
Status WriteReportJson(const std::string& path, const StormConfig& config,
                       const StormResult& result);

}  // namespace homeroom::storm
