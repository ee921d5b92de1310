#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"

namespace homeroom::domain {

// The languages of the web app's catalogs (web/src/i18n): English, Spanish, Haitian Creole.
inline constexpr std::string_view kLanguages[] = {"en", "es", "ht"};

// OK for "en", "es" or "ht"; kInvalidArgument naming the accepted values otherwise.
Status ValidateLanguage(std::string_view language);

// What a user chose for themselves, as the API shows it.
struct UserPreferences {
  std::optional<std::string> language;  // none: never chosen (the app uses the device's)
};

// A user's own preferences (docs/api.md, "Preferences"). Every user may read and change only their
// own; the handler passes the signed-in user's id. Thread-safe (the store serializes writes).
class PreferencesService {
 public:
  PreferencesService(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // The user's preferences; nothing chosen when they never set any. kInternal on a store error.
  boost::asio::awaitable<Result<UserPreferences>> Get(int64_t user_id);
  // Sets (or, with nullopt, clears) the preferred language and returns the preferences after the
  // change. kInvalidArgument for a language outside kLanguages; kUnavailable when the store is
  // at capacity.
  boost::asio::awaitable<Result<UserPreferences>> SetLanguage(int64_t user_id,
                                                              std::optional<std::string> language);

 private:
  store::Database& db_;
  const Clock& clock_;
};

}  // namespace homeroom::domain
