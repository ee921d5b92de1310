#include "cli/accounts_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "core/clock.h"
#include "store/database.h"

namespace homeroom::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;
constexpr int kMaxTtlDays = 365;

std::string CsvField(std::string_view v) {
  std::string s(v);
  if (!s.empty() && std::strchr("=+-@\t\r", s[0]) != nullptr) s.insert(0, "'");
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char ch : s) {
    if (ch == '"') quoted.push_back('"');
    quoted.push_back(ch);
  }
  quoted.push_back('"');
  return quoted;
}

// Writes `data` to a new file at `path`, mode 0600: the codes are secrets until used.
Status WriteNewPrivateFile(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Conflict("cannot create " + path + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return Status::Internal("cannot write " + path + ": " + why);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::Internal("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

std::string FormatCodesCsv(const std::vector<auth::IssuedCode>& codes) {
  std::string out = "user_id,username,name,role,code,expires_at\n";
  for (const auth::IssuedCode& c : codes) {
    out += std::to_string(c.user_id) + ',' + CsvField(c.username) + ',' + CsvField(c.name) + ',' +
           CsvField(c.role) + ',' + c.code + ',' + FormatIsoUtc(c.expires_ms) + '\n';
  }
  return out;
}

int RunIssueCodes(const IssueCodesArgs& args, std::ostream& err) {
  if (args.ttl_days < 1 || args.ttl_days > kMaxTtlDays) {
    err << "homeroom accounts issue-codes: --ttl-days must be between 1 and " << kMaxTtlDays
        << "\n";
    return kExitError;
  }
  // Create the file first: if it cannot be made, no code is issued (and none is lost).
  Status reserved = WriteNewPrivateFile(args.out, "");
  if (!reserved.ok()) {
    err << "homeroom accounts issue-codes: " << reserved.message() << "\n";
    return kExitError;
  }
  auto fail = [&](const Status& s) {
    ::unlink(args.out.c_str());
    err << "homeroom accounts issue-codes: " << s.ToString() << "\n";
    return kExitError;
  };
  auto db = store::Database::Open({.path = args.data_dir + "/homeroom.db"}, nullptr);
  if (!db.ok()) return fail(db.status());
  auto codes = auth::IssueActivationCodes(**db, args.school_id, args.all_users,
                                          SystemClock::Instance().NowMs(),
                                          std::chrono::hours(24) * args.ttl_days);
  if (!codes.ok()) return fail(codes.status());
  ::unlink(args.out.c_str());
  Status written = WriteNewPrivateFile(args.out, FormatCodesCsv(*codes));
  if (!written.ok()) {
    // The codes exist in the store but nobody has them; issuing again supersedes them.
    err << "homeroom accounts issue-codes: " << written.message()
        << " (run the command again: new codes replace these)\n";
    return kExitError;
  }
  err << "issued " << codes->size() << " activation codes for school " << args.school_id << " to "
      << args.out << "\n";
  return kExitOk;
}

void AddAccountsCommands(CLI::App& app) {
  CLI::App* accounts = app.add_subcommand("accounts", "Manage sign-in accounts");
  accounts->require_subcommand(1);

  static IssueCodesArgs args;
  CLI::App* issue = accounts->add_subcommand(
      "issue-codes", "Issue one-time activation codes for a school's users (first sign-in)");
  issue->add_option("--data-dir", args.data_dir, "Directory of the SQLite store")
      ->envname("HOMEROOM_DATA_DIR")
      ->capture_default_str();
  issue->add_option("--school", args.school_id, "Id of the school (orgs.id)")->required();
  issue->add_flag("--all", args.all_users,
                  "Issue for every user of the school, not only those without a password");
  issue->add_option("--ttl-days", args.ttl_days, "Days until the codes expire")
      ->check(CLI::Range(1, kMaxTtlDays))
      ->capture_default_str();
  issue->add_option("--out", args.out, "CSV file to create (must not exist)")->required();
  issue->callback([] {
    int code = RunIssueCodes(args, std::cerr);
    if (code != kExitOk) std::exit(code);
  });
}

}  // namespace homeroom::cli
