// docs/openapi.yaml describes every routed path and method.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/beast/http/verb.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "http/router.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

// The lines of the `paths:` block: "  /path:" opens a path, "    get:" a method under it.
std::map<std::string, std::set<std::string>> DocumentedOperations(const std::string& yaml) {
  std::map<std::string, std::set<std::string>> ops;
  std::istringstream in(yaml);
  std::string line, path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line.rfind("paths:", 0) == 0) {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    if (!line.empty() && line[0] != ' ' && line[0] != '#') break;  // the next top-level key
    if (line.rfind("  /", 0) == 0 && line.back() == ':') {
      path = line.substr(2, line.size() - 3);
      if (path.size() > 1 && path.front() == '"') path = path.substr(1, path.size() - 2);
    } else if (line.rfind("    ", 0) == 0 && line[4] != ' ' && line.back() == ':' &&
               !path.empty()) {
      ops[path].insert(line.substr(4, line.size() - 5));
    }
  }
  return ops;
}

TEST(OpenApi, DocumentsEveryRoutedPathAndMethod) {
  std::ifstream file(std::string(HOMEROOM_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_TRUE(file) << "docs/openapi.yaml is missing";
  std::stringstream yaml;
  yaml << file.rdbuf();
  auto documented = DocumentedOperations(yaml.str());
  ASSERT_FALSE(documented.empty());

  TestServer server;
  for (const auto& route : server.app().router().routes()) {
    std::string method(boost::beast::http::to_string(route.method));
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    EXPECT_TRUE(documented[route.pattern].count(method))
        << method << " " << route.pattern << " is routed but not in docs/openapi.yaml";
  }
}

}  // namespace
}  // namespace homeroom::testing
