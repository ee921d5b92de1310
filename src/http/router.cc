#include "http/router.h"

#include <algorithm>
#include <boost/url/parse_path.hpp>
#include <boost/url/segments_encoded_view.hpp>

namespace homeroom::http {

namespace beast_http = boost::beast::http;

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;
  std::vector<std::pair<beast_http::verb, size_t>> methods;  // route index by method
};

namespace {

// Splits "/a/{b}/c" into {"a", "{b}", "c"}; "/" into {}.
std::vector<std::string> SplitPattern(const std::string& pattern) {
  std::vector<std::string> out;
  size_t i = 1;
  while (i <= pattern.size()) {
    size_t j = pattern.find('/', i);
    if (j == std::string::npos) j = pattern.size();
    out.push_back(pattern.substr(i, j - i));
    i = j + 1;
  }
  if (out.size() == 1 && out[0].empty()) out.clear();
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::string RouteMatch::AllowHeader() const {
  std::string out;
  for (auto verb : allowed) {
    if (!out.empty()) out += ", ";
    out += std::string(beast_http::to_string(verb));
  }
  return out;
}

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

guard::RouteClass DefaultRouteClass(beast_http::verb method, bool upgrade) {
  if (upgrade) return guard::RouteClass::kLive;
  if (method == beast_http::verb::get || method == beast_http::verb::head) {
    return guard::RouteClass::kApiRead;
  }
  return guard::RouteClass::kApiWrite;
}

void Router::Add(beast_http::verb method, std::string pattern, Handler handler,
                 RouteOptions options) {
  Route route;
  route.method = method;
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  route.options = options;
  route.route_class = options.route_class.value_or(DefaultRouteClass(method, false));
  Insert(std::move(route));
}

void Router::AddUpgrade(std::string pattern, UpgradeHandler handler, RouteOptions options) {
  HR_CHECK(handler != nullptr, "upgrade route without a handler");
  Route route;
  route.method = beast_http::verb::get;
  route.pattern = std::move(pattern);
  route.options = options;
  route.upgrade = true;
  route.route_class = options.route_class.value_or(DefaultRouteClass(route.method, true));
  route.upgrade_handler = std::move(handler);
  Insert(std::move(route));
}

void Router::SetFallback(Handler handler, RouteOptions options, std::string except_prefix) {
  HR_CHECK(!fallback_, "router fallback set twice");
  HR_CHECK(handler != nullptr, "router fallback without a handler");
  fallback_ = std::make_unique<Route>();
  fallback_->method = beast_http::verb::get;
  fallback_->pattern = "/*";
  fallback_->handler = std::move(handler);
  fallback_->options = options;
  fallback_->route_class =
      options.route_class.value_or(DefaultRouteClass(fallback_->method, false));
  fallback_except_ = std::move(except_prefix);
}

void Router::Insert(Route route) {
  const std::string& pattern = route.pattern;
  const beast_http::verb method = route.method;
  HR_CHECK(!pattern.empty() && pattern.front() == '/', "route pattern must start with '/'");
  std::vector<std::string> names;
  Node* node = root_.get();
  for (const std::string& segment : SplitPattern(pattern)) {
    bool param = IsParam(segment);
    HR_CHECK(param || segment.find_first_of("{}") == std::string::npos,
             "route pattern has a malformed {parameter}");
    if (param) {
      HR_CHECK(segment.size() > 2, "route pattern has an empty {}");
      names.push_back(segment.substr(1, segment.size() - 2));
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
    } else {
      auto& child = node->literals[segment];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  for (const auto& [verb, index] : node->methods) {
    HR_CHECK(verb != method, "route added twice with the same method and pattern");
  }
  node->methods.emplace_back(method, routes_.size());
  routes_.push_back(std::move(route));
  param_names_.push_back(std::move(names));
}

namespace {

struct Walker {
  const std::vector<std::string>& segments;
  beast_http::verb method;
  std::vector<std::string> values;

  // Finds a node matching every segment that has `method`, literals first; returns its route index.
  template <typename NodeT>
  bool Find(const NodeT& node, size_t i, size_t* index) {
    if (i == segments.size()) {
      for (const auto& [verb, idx] : node.methods) {
        if (verb == method) {
          *index = idx;
          return true;
        }
      }
      return false;
    }
    auto it = node.literals.find(segments[i]);
    if (it != node.literals.end() && Find(*it->second, i + 1, index)) return true;
    if (node.param && !segments[i].empty()) {
      values.push_back(segments[i]);
      if (Find(*node.param, i + 1, index)) return true;
      values.pop_back();
    }
    return false;
  }

  // Collects the methods of every node matching the whole path.
  template <typename NodeT>
  void Allowed(const NodeT& node, size_t i, std::vector<beast_http::verb>* out) {
    if (i == segments.size()) {
      for (const auto& [verb, idx] : node.methods) out->push_back(verb);
      return;
    }
    auto it = node.literals.find(segments[i]);
    if (it != node.literals.end()) Allowed(*it->second, i + 1, out);
    if (node.param && !segments[i].empty()) Allowed(*node.param, i + 1, out);
  }
};

}  // namespace

RouteMatch Router::Find(beast_http::verb method, std::string_view path) const {
  RouteMatch match;
  if (path.empty() || path.front() != '/') return match;
  auto parsed = boost::urls::parse_path(path);
  if (!parsed) return match;
  std::vector<std::string> segments;
  for (auto segment : *parsed) segments.push_back(segment.decode());
  if (path == "/") segments.clear();

  Walker walker{segments, method, {}};
  size_t index = 0;
  if (walker.Find(*root_, 0, &index)) {
    match.kind = RouteMatch::Kind::kFound;
    match.route = &routes_[index];
    const auto& names = param_names_[index];
    for (size_t i = 0; i < names.size() && i < walker.values.size(); ++i) {
      match.path_params.emplace_back(names[i], std::move(walker.values[i]));
    }
    return match;
  }
  walker.Allowed(*root_, 0, &match.allowed);
  if (!match.allowed.empty()) {
    std::sort(match.allowed.begin(), match.allowed.end());
    match.allowed.erase(std::unique(match.allowed.begin(), match.allowed.end()),
                        match.allowed.end());
    match.kind = RouteMatch::Kind::kMethodNotAllowed;
    return match;
  }
  if (fallback_ && method == beast_http::verb::get) {
    const std::string_view except = fallback_except_;
    const bool excepted =
        !except.empty() && path.substr(0, except.size()) == except &&
        (path.size() == except.size() || path[except.size()] == '/' || except.back() == '/');
    if (!excepted) {
      match.kind = RouteMatch::Kind::kFound;
      match.route = fallback_.get();
    }
  }
  return match;
}

}  // namespace homeroom::http
