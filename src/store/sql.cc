#include "store/sql.h"

namespace homeroom::sql {

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

}  // namespace homeroom::sql
