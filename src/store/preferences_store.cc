#include "store/preferences_store.h"

namespace homeroom::store::preferences_store {

Result<UserPreferencesRecord> Get(sql::Connection& c, int64_t user_id) {
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare("SELECT language, updated_ms FROM user_preferences WHERE user_id = ?"));
  st->Bind(1, user_id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  UserPreferencesRecord out;
  if (row) {
    out.language = st->OptText(0);
    out.updated_ms = st->Int(1);
  }
  st->Reset();
  return out;
}

Status PutLanguage(sql::Connection& c, int64_t user_id, const std::optional<std::string>& language,
                   int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("INSERT INTO user_preferences (user_id, language,"
                                          " updated_ms) VALUES (?, ?, ?) ON CONFLICT (user_id)"
                                          " DO UPDATE SET language = excluded.language,"
                                          " updated_ms = excluded.updated_ms"));
  st->Bind(1, user_id);
  st->Bind(2, language);
  st->Bind(3, now_ms);
  return st->Run();
}

}  // namespace homeroom::store::preferences_store
