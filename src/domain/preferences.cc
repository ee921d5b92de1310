#include "domain/preferences.h"

#include "store/preferences_store.h"

namespace homeroom::domain {

Status ValidateLanguage(std::string_view language) {
  for (std::string_view known : kLanguages) {
    if (language == known) return Status::Ok();
  }
  return Status::InvalidArgument("language must be one of \"en\", \"es\", \"ht\" (or null)");
}

boost::asio::awaitable<Result<UserPreferences>> PreferencesService::Get(int64_t user_id) {
  auto job = [user_id](sql::Connection& c) -> Result<UserPreferences> {
    HR_ASSIGN_OR_RETURN(auto record, store::preferences_store::Get(c, user_id));
    return UserPreferences{std::move(record.language)};
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<UserPreferences>> PreferencesService::SetLanguage(
    int64_t user_id, std::optional<std::string> language) {
  if (language) {
    HR_CO_RETURN_IF_ERROR(ValidateLanguage(*language));
  }
  int64_t now_ms = clock_.NowMs();
  auto job = [user_id, language, now_ms](sql::Connection& c) -> Result<UserPreferences> {
    HR_RETURN_IF_ERROR(store::preferences_store::PutLanguage(c, user_id, language, now_ms));
    HR_ASSIGN_OR_RETURN(auto record, store::preferences_store::Get(c, user_id));
    return UserPreferences{std::move(record.language)};
  };
  co_return co_await db_.Write(std::move(job));
}

}  // namespace homeroom::domain
