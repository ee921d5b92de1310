#include "core/log.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>

namespace homeroom::log {
namespace {

TEST(Log, WritesOneJsonObjectPerLine) {
  auto out = std::make_shared<std::ostringstream>();
  Init({.min_level = Level::kInfo, .capture = out});
  Info("http_request", {{"status", 200}, {"route", "/healthz"}});
  Debug("hidden");
  Flush();
  std::string text = out->str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  auto line = boost::json::parse(text).as_object();
  EXPECT_EQ(line.at("event").as_string(), "http_request");
  EXPECT_EQ(line.at("level").as_string(), "info");
  EXPECT_EQ(line.at("status").as_int64(), 200);
  EXPECT_TRUE(line.contains("time"));
  Init({});
}

}  // namespace
}  // namespace homeroom::log
