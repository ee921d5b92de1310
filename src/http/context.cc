#include "http/context.h"

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace homeroom::http {

std::optional<std::string_view> RequestContext::PathParam(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

Result<int64_t> RequestContext::PathInt(std::string_view name) const {
  auto text = PathParam(name);
  if (!text) return Status::InvalidArgument("missing path parameter '" + std::string(name) + "'");
  int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument("path parameter '" + std::string(name) + "' must be an integer");
  }
  return value;
}

std::optional<std::string> RequestContext::Query(std::string_view name) const {
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return std::nullopt;
  auto params = url->params();
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return std::string((*it).value);
}

std::optional<std::string> RequestContext::Cookie(std::string_view name) const {
  auto range = request.equal_range(boost::beast::http::field::cookie);
  for (auto field = range.first; field != range.second; ++field) {
    std::string_view rest = field->value();
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
      while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      std::string_view value = pair.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return std::nullopt;
}

}  // namespace homeroom::http
