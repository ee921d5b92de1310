// bench_live_load: the WebSocket clients of the live-class benchmark (bench/live/run.sh).
//
// Reads the participants written by bench_live_setup (<session> <user> <role> <token> per line,
// grouped by room), and connects one socket per participant to GET /api/v1/live?session=ID with
// its bearer token, each bound to its own 127.x.y.1 source address (--per-source sockets per
// address), so that the server sees many clients and no ephemeral port range runs out. Rooms are
// spread over --threads threads, each with its own io_context; a room's sockets all live on one
// thread, so a room's counters need no lock. Every socket is one coroutine reading (and, in chat
// mode, one coroutine writing); connects are bounded (--connect-concurrency in flight) and
// retried with a bounded backoff when the server answers 503/429.
//
// --mode idle: connects --sockets sockets in two equal steps and reads the server's memory
//   (/proc/PID/status VmRSS and /proc/PID/smaps_rollup) before, after each step once it is steady,
//   and after --hold-s seconds of holding them idle (the server pings them meanwhile).
// --mode chat: connects the first --rooms rooms, then for --duration-s seconds each room sends
//   one chat message a second (its members take turns: each sends every room-size seconds, inside
//   the per-user chat rate) and each socket sends a presence.update (its connection quality report)
//   every --presence-period-s seconds. A chat message's text carries its send time
//   (steady_clock, CLOCK_MONOTONIC: the same clock in every process of the machine); every
//   receiving socket records now - send time. Reports latency percentiles, deliveries and losses,
//   and the server's and its own CPU over the window (/proc/PID/stat utime+stime).
//
// Also used against bench_live_reference (the bare Beast floor), which speaks the same frames.
// Every wait is bounded; the process ends with _exit() (the kernel closes the sockets).
#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Bounds of every wait (the whole run must end within minutes).
constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr int kMaxConnectAttempts = 8;
constexpr auto kPhaseTimeout = std::chrono::seconds(150);
constexpr auto kMaxSettle = std::chrono::seconds(20);
constexpr auto kDrain = std::chrono::seconds(3);
constexpr size_t kMaxLatencySamples = size_t{1} << 25;

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string creds;
  std::string mode = "idle";
  size_t sockets = 0;  // idle
  size_t rooms = 0;    // chat
  int threads = 2;
  int shard = 0, shards = 1;
  size_t per_source = 50;
  int connect_concurrency = 256;
  int server_pid = 0;
  int hold_s = 20;
  int duration_s = 60;
  int presence_period_s = 30;
  size_t chat_bytes = 100;
  std::string path = "/api/v1/live";
  uint16_t metrics_port = 0;  // the server's /metrics listener; 0: not read
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// --- /proc readings -------------------------------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "VmRSS:     1234 kB" -> 1234 (KiB); -1 when absent.
int64_t FieldKiB(const std::string& text, const std::string& name) {
  size_t at = text.find("\n" + name + ":");
  if (at == std::string::npos) {
    if (text.rfind(name + ":", 0) != 0) return -1;
    at = 0;
  } else {
    ++at;
  }
  return std::atoll(text.c_str() + at + name.size() + 1);
}

struct Memory {
  int64_t vm_rss = -1, rss = -1, pss = -1, anonymous = -1, private_dirty = -1;  // KiB
};

Memory ReadMemory(int pid) {
  Memory m;
  std::string status = ReadFile("/proc/" + std::to_string(pid) + "/status");
  m.vm_rss = FieldKiB(status, "VmRSS");
  std::string rollup = ReadFile("/proc/" + std::to_string(pid) + "/smaps_rollup");
  m.rss = FieldKiB(rollup, "Rss");
  m.pss = FieldKiB(rollup, "Pss");
  m.anonymous = FieldKiB(rollup, "Anonymous");
  m.private_dirty = FieldKiB(rollup, "Private_Dirty");
  return m;
}

// utime + stime of a process, in seconds.
double CpuSeconds(int pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string LoadAverage() {
  std::string s = ReadFile("/proc/loadavg");
  size_t third = 0;
  for (int i = 0; i < 3 && third != std::string::npos; ++i) third = s.find(' ', third + 1);
  return s.substr(0, third);
}

// --- state ----------------------------------------------------------------------------------

struct Room;

struct Sock {
  Room* room = nullptr;
  int member = 0;  // index in the room
  int64_t user_id = 0;
  std::string token;
  size_t global_index = 0;  // position in the credentials file: picks the source address
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws;
  bool open = false;
  int64_t next_command_id = 1;
};

struct Room {
  int64_t session_id = 0;
  size_t index = 0;  // among the rooms of the run: spreads the rooms' send times over a second
  std::vector<Sock> members;
  std::vector<uint16_t> received;  // per chat message k: sockets that got it
  std::vector<uint8_t> sent;       // per chat message k: written by its sender
};

// Counters of one worker thread (read by the main thread only after the thread stopped, except
// the atomics).
struct Stats {
  std::atomic<int64_t> connected{0}, failed{0}, dropped{0};
  int64_t retries = 0;
  std::map<std::string, int64_t> refusals;  // connect failures by reason
  int64_t chat_sent = 0, chat_received = 0, presence_sent = 0, presence_received = 0;
  int64_t acks = 0, errors = 0, other = 0, late_or_unknown = 0;
  std::map<std::string, int64_t> error_codes;
  std::vector<uint32_t> latency_us;
};

struct Worker {
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
  std::vector<Room*> rooms;
  Stats stats;
  int in_flight = 0;  // connects in progress (this thread only)
};

const Options* g_options = nullptr;
std::atomic<bool> g_stopping{false};
int64_t g_t0_ns = 0, g_stop_ns = 0;  // chat schedule, set before the senders are spawned

tcp::endpoint SourceFor(size_t global_index) {
  // 127.1.0.1, 127.1.1.1, ..., 127.1.255.1, 127.2.0.1, ...: --per-source sockets each, every
  // source in its own /24, as pupils at home are: the server's per-subnet caps and rate limits
  // apply to them as to real users.
  const uint32_t source = static_cast<uint32_t>(global_index / g_options->per_source);
  const uint32_t host = (127u << 24) | ((1u + source / 256) << 16) | ((source % 256) << 8) | 1u;
  return tcp::endpoint(asio::ip::address_v4(host), 0);
}

// The "type" of a frame: the value of its first "type" key (the server writes it first).
std::string_view TypeOf(std::string_view frame) {
  size_t at = frame.find("\"type\":\"");
  if (at == std::string_view::npos) return {};
  at += 8;
  size_t end = frame.find('"', at);
  return end == std::string_view::npos ? std::string_view() : frame.substr(at, end - at);
}

void OnFrame(Worker& w, Sock& s, std::string_view frame, int64_t now_ns) {
  Stats& st = w.stats;
  std::string_view type = TypeOf(frame);
  if (type == "chat.message") {
    // text: "bench <send_ns> <k> xxx..."
    size_t at = frame.find("\"text\":\"bench ");
    if (at == std::string_view::npos) {
      ++st.late_or_unknown;
      return;
    }
    const char* p = frame.data() + at + 14;
    char* end = nullptr;
    long long send_ns = std::strtoll(p, &end, 10);
    long long k = std::strtoll(end, nullptr, 10);
    ++st.chat_received;
    Room& r = *s.room;
    if (k >= 0 && static_cast<size_t>(k) < r.received.size()) ++r.received[static_cast<size_t>(k)];
    if (st.latency_us.size() < kMaxLatencySamples) {
      st.latency_us.push_back(static_cast<uint32_t>(std::max<int64_t>(0, now_ns - send_ns) / 1000));
    }
  } else if (type == "presence.updated") {
    ++st.presence_received;
  } else if (type == "ack") {
    ++st.acks;
  } else if (type == "error") {
    ++st.errors;
    size_t at = frame.find("\"code\":\"");
    std::string code = "?";
    if (at != std::string_view::npos) {
      size_t end = frame.find('"', at + 8);
      code = std::string(frame.substr(at + 8, end - at - 8));
    }
    ++st.error_codes[code];
  } else {
    ++st.other;
  }
}

asio::awaitable<void> ReadLoop(Worker& w, Sock& s) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await s.ws->async_read(buffer, kTuple);
    if (ec) {
      if (!g_stopping) ++w.stats.dropped;
      s.open = false;
      co_return;
    }
    const int64_t now = NowNs();
    auto data = buffer.cdata();
    OnFrame(w, s, std::string_view(static_cast<const char*>(data.data()), data.size()), now);
    buffer.consume(n);
  }
}

// Connects one socket (bounded retries), reads its welcome, then keeps reading.
asio::awaitable<void> RunSocket(Worker& w, Sock& s) {
  const Options& o = *g_options;
  auto ex = co_await asio::this_coro::executor;
  const std::string target = o.path + "?session=" + std::to_string(s.room->session_id);
  tcp::endpoint server(asio::ip::make_address(o.host), o.port);
  std::string why;
  for (int attempt = 0; attempt < kMaxConnectAttempts; ++attempt) {
    if (attempt > 0) {
      ++w.stats.retries;
      asio::steady_timer backoff(ex);
      backoff.expires_after(std::chrono::milliseconds(100 << std::min(attempt, 4)));
      co_await backoff.async_wait(kTuple);
    }
    tcp::socket sock(ex);
    error_code ec;
    sock.open(tcp::v4(), ec);
    if (ec) {
      why = "socket: " + ec.message();
      continue;
    }
    int one = 1;
    ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sock.bind(SourceFor(s.global_index), ec);
    if (ec) {
      why = "bind: " + ec.message();
      continue;
    }
    beast::tcp_stream stream(std::move(sock));
    stream.expires_after(kConnectTimeout);
    auto [cec] = co_await stream.async_connect(server, kTuple);
    if (cec) {
      why = "connect: " + cec.message();
      continue;
    }
    auto ws = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(stream));
    ws->set_option(websocket::stream_base::decorator([&s](websocket::request_type& req) {
      req.set(http::field::authorization, "Bearer " + s.token);
      req.set(http::field::user_agent, "bench_live_load");
    }));
    websocket::response_type res;
    auto [hec] = co_await ws->async_handshake(res, o.host, target, kTuple);
    if (hec) {
      const int status = res.result_int();
      why = status ? "http " + std::to_string(status) : "handshake: " + hec.message();
      if (status == 503 || status == 429 || status == 0) continue;
      break;  // a refusal (401, 403, 409): retrying will not change it
    }
    beast::get_lowest_layer(*ws).expires_never();
    websocket::stream_base::timeout t =
        websocket::stream_base::timeout::suggested(beast::role_type::client);
    ws->set_option(t);
    beast::flat_buffer welcome;
    beast::get_lowest_layer(*ws).expires_after(kConnectTimeout);
    auto [rec, n] = co_await ws->async_read(welcome, kTuple);
    beast::get_lowest_layer(*ws).expires_never();
    if (rec) {
      why = "welcome: " + rec.message();
      continue;
    }
    auto data = welcome.cdata();
    std::string_view frame(static_cast<const char*>(data.data()), data.size());
    if (TypeOf(frame) != "welcome" || frame.find("\"in_room\"") == std::string_view::npos) {
      why = "not welcomed in the room: " + std::string(frame.substr(0, 120));
      break;
    }
    s.ws = std::move(ws);
    s.open = true;
    --w.in_flight;
    ++w.stats.connected;
    co_await ReadLoop(w, s);
    co_return;
  }
  --w.in_flight;
  ++w.stats.failed;
  ++w.stats.refusals[why];
}

// Starts the sockets of `socks`, keeping at most the worker's share of --connect-concurrency
// connects in flight.
asio::awaitable<void> Launch(Worker& w, std::vector<Sock*> socks) {
  auto ex = co_await asio::this_coro::executor;
  const int limit = std::max(1, g_options->connect_concurrency / g_options->threads);
  asio::steady_timer pause(ex);
  for (Sock* s : socks) {
    while (w.in_flight >= limit) {
      pause.expires_after(std::chrono::milliseconds(2));
      co_await pause.async_wait(kTuple);
    }
    ++w.in_flight;
    asio::co_spawn(ex, RunSocket(w, *s), asio::detached);
  }
}

std::string ChatText(int64_t send_ns, size_t k, size_t bytes) {
  std::string text = "bench " + std::to_string(send_ns) + " " + std::to_string(k) + " ";
  if (text.size() < bytes) text.append(bytes - text.size(), 'x');
  return text;
}

// One socket's commands in chat mode: its turns at the room's chat (message k = member + j *
// room size, sent at t0 + room offset + k seconds) and its presence reports, until the stop time.
asio::awaitable<void> SendLoop(Worker& w, Sock& s, int64_t presence_offset_ns) {
  const Options& o = *g_options;
  Room& r = *s.room;
  const int64_t room_size = static_cast<int64_t>(r.members.size());
  const int64_t second = 1'000'000'000;
  const int64_t offset = static_cast<int64_t>(r.index % 1000) * 1'000'000;  // ms steps
  int64_t k = s.member;
  int64_t next_presence = g_t0_ns + presence_offset_ns;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    const int64_t next_chat = g_t0_ns + offset + k * second;
    const bool chat = next_chat <= next_presence;
    const int64_t at = chat ? next_chat : next_presence;
    if (at >= g_stop_ns) co_return;
    timer.expires_at(Clock::time_point(std::chrono::nanoseconds(at)));
    co_await timer.async_wait(kTuple);
    if (!s.open || g_stopping) co_return;
    std::string frame;
    if (chat) {
      const int64_t send_ns = NowNs();
      frame = "{\"id\":" + std::to_string(s.next_command_id++) +
              ",\"type\":\"chat.send\",\"text\":\"" +
              ChatText(send_ns, static_cast<size_t>(k), o.chat_bytes) + "\"}";
    } else {
      frame = "{\"id\":" + std::to_string(s.next_command_id++) +
              ",\"type\":\"presence.update\",\"quality\":\"good\",\"rtt_ms\":" +
              std::to_string(20 + s.member) + "}";
    }
    auto [ec, n] = co_await s.ws->async_write(asio::buffer(frame), kTuple);
    if (ec) co_return;
    if (chat) {
      if (static_cast<size_t>(k) < r.sent.size()) r.sent[static_cast<size_t>(k)] = 1;
      ++w.stats.chat_sent;
      k += room_size;
    } else {
      ++w.stats.presence_sent;
      next_presence += int64_t{o.presence_period_s} * second;
    }
  }
}

// Prints the server's live and WebSocket metrics (non-zero samples of the few that say whether
// every socket is where it should be), read from its /metrics listener within 5 s.
void PrintServerMetrics(uint16_t port) {
  if (port == 0) return;
  asio::io_context io;
  std::string body;
  auto fetch = [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(io);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    auto [cec] = co_await stream.async_connect(ep, kTuple);
    if (cec) co_return;
    http::request<http::empty_body> req(http::verb::get, "/metrics", 11);
    req.set(http::field::host, "127.0.0.1");
    auto [wec, wn] = co_await http::async_write(stream, req, kTuple);
    if (wec) co_return;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (!rec) body = parser.get().body();
  };
  asio::co_spawn(io, fetch(), asio::detached);
  io.run_for(std::chrono::seconds(5));
  static const char* kNames[] = {"homeroom_live_rooms ",
                                 "homeroom_live_participants ",
                                 "homeroom_live_sockets ",
                                 "homeroom_live_dropped_slow_consumers_total",
                                 "homeroom_live_commands_rejected_total",
                                 "homeroom_net_ws_open{server=\"api\"}",
                                 "homeroom_net_ws_closes_total{server=\"api\"",
                                 "homeroom_net_connections_refused_total{server=\"api\"",
                                 "homeroom_net_open_connections{server=\"api\"}"};
  std::istringstream lines(body);
  std::string line;
  std::string shown;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    bool wanted = false;
    for (const char* n : kNames) wanted = wanted || line.rfind(n, 0) == 0;
    if (!wanted || line.ends_with(" 0")) continue;
    shown += (shown.empty() ? "" : ", ") + line;
  }
  std::printf("  server metrics: %s\n", body.empty() ? "(not read)" : shown.c_str());
}

// --- orchestration --------------------------------------------------------------------------

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_live_load: %s\n", what.c_str());
  std::fflush(stderr);
  _exit(1);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--host")
      o.host = v;
    else if (f == "--port")
      o.port = static_cast<uint16_t>(std::stoi(v));
    else if (f == "--creds")
      o.creds = v;
    else if (f == "--mode")
      o.mode = v;
    else if (f == "--sockets")
      o.sockets = std::stoul(v);
    else if (f == "--rooms")
      o.rooms = std::stoul(v);
    else if (f == "--threads")
      o.threads = std::stoi(v);
    else if (f == "--shard")
      o.shard = std::stoi(v);
    else if (f == "--shards")
      o.shards = std::stoi(v);
    else if (f == "--per-source")
      o.per_source = std::stoul(v);
    else if (f == "--connect-concurrency")
      o.connect_concurrency = std::stoi(v);
    else if (f == "--server-pid")
      o.server_pid = std::stoi(v);
    else if (f == "--hold-s")
      o.hold_s = std::stoi(v);
    else if (f == "--duration-s")
      o.duration_s = std::stoi(v);
    else if (f == "--presence-period-s")
      o.presence_period_s = std::stoi(v);
    else if (f == "--chat-bytes")
      o.chat_bytes = std::stoul(v);
    else if (f == "--path")
      o.path = v;
    else if (f == "--metrics-port")
      o.metrics_port = static_cast<uint16_t>(std::stoi(v));
    else
      Die("unknown flag " + f);
  }
  if (o.port == 0 || o.creds.empty() || o.server_pid == 0 || o.threads < 1 || o.shards < 1 ||
      o.per_source < 1 || (o.mode != "idle" && o.mode != "chat")) {
    Die("usage: --port P --creds FILE --server-pid PID --mode idle|chat [--sockets N | --rooms R]");
  }
  return o;
}

// Rooms of the credentials file, in file order.
std::vector<std::unique_ptr<Room>> LoadRooms(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::vector<std::unique_ptr<Room>> rooms;
  int64_t session = 0, user = 0;
  std::string role, token;
  size_t line = 0;
  while (in >> session >> user >> role >> token) {
    if (rooms.empty() || rooms.back()->session_id != session) {
      rooms.push_back(std::make_unique<Room>());
      rooms.back()->session_id = session;
      rooms.back()->index = rooms.size() - 1;
    }
    Sock s;
    s.room = rooms.back().get();
    s.member = static_cast<int>(rooms.back()->members.size());
    s.user_id = user;
    s.token = token;
    s.global_index = line++;
    rooms.back()->members.push_back(std::move(s));
  }
  return rooms;
}

int64_t Total(std::vector<std::unique_ptr<Worker>>& workers, std::atomic<int64_t> Stats::*field) {
  int64_t sum = 0;
  for (auto& w : workers) sum += (w->stats.*field).load();
  return sum;
}

// Waits until connected + failed reaches `target` (bounded); returns the seconds it took.
double WaitConnected(std::vector<std::unique_ptr<Worker>>& workers, int64_t target) {
  auto start = Clock::now();
  while (Total(workers, &Stats::connected) + Total(workers, &Stats::failed) < target &&
         Clock::now() - start < kPhaseTimeout) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Waits until the server's RSS stops moving (two readings a second apart within 0.2%), at
// least 2 s and at most kMaxSettle.
Memory Settle(int pid) {
  std::this_thread::sleep_for(std::chrono::seconds(1));
  Memory last = ReadMemory(pid);
  auto start = Clock::now();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    Memory now = ReadMemory(pid);
    const int64_t delta = std::abs(now.vm_rss - last.vm_rss);
    last = now;
    if (delta * 500 <= now.vm_rss || Clock::now() - start > kMaxSettle) return now;
  }
}

void PrintMemory(const char* label, const Memory& m, int64_t sockets) {
  std::printf(
      "  %-28s VmRSS %8lld KiB  Rss %8lld  Pss %8lld  Anonymous %8lld  Private_Dirty %8lld\n",
      label, static_cast<long long>(m.vm_rss), static_cast<long long>(m.rss),
      static_cast<long long>(m.pss), static_cast<long long>(m.anonymous),
      static_cast<long long>(m.private_dirty));
  (void)sockets;
}

double PerSocket(int64_t after_kib, int64_t before_kib, int64_t sockets) {
  return sockets > 0
             ? static_cast<double>(after_kib - before_kib) * 1024.0 / static_cast<double>(sockets)
             : 0;
}

void PrintRefusals(std::vector<std::unique_ptr<Worker>>& workers) {
  std::map<std::string, int64_t> all;
  for (auto& w : workers)
    for (auto& [why, n] : w->stats.refusals) all[why] += n;
  for (auto& [why, n] : all)
    std::printf("  connect failures: %lld x %s\n", (long long)n, why.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  static Options options = Parse(argc, argv);
  g_options = &options;
  const Options& o = options;
  auto rooms = LoadRooms(o.creds);

  // Which rooms this process runs: idle takes whole rooms until --sockets, chat the first --rooms.
  std::vector<Room*> mine;
  size_t taken = 0;
  for (auto& r : rooms) {
    if (o.mode == "chat" && r->index >= o.rooms) break;
    if (o.mode == "idle" && taken >= o.sockets) break;
    if (o.mode == "idle" && taken + r->members.size() > o.sockets) {
      r->members.resize(o.sockets - taken);  // the last room partly filled
    }
    taken += r->members.size();
    if (static_cast<int>(r->index % static_cast<size_t>(o.shards)) == o.shard)
      mine.push_back(r.get());
  }
  if (o.mode == "chat" && rooms.size() < o.rooms) Die("the credentials file has too few rooms");
  if (o.mode == "idle" && taken < o.sockets) Die("the credentials file has too few participants");

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < o.threads; ++i) workers.push_back(std::make_unique<Worker>());
  for (size_t i = 0; i < mine.size(); ++i) {
    Room* r = mine[i];
    workers[i % workers.size()]->rooms.push_back(r);
    const size_t messages = static_cast<size_t>(o.duration_s) + 2;
    r->received.assign(messages, 0);
    r->sent.assign(messages, 0);
  }
  for (auto& w : workers) {
    w->guard.emplace(w->io.get_executor());
    w->thread = std::thread([&io = w->io] { io.run(); });
  }
  int64_t mine_sockets = 0;
  for (Room* r : mine) mine_sockets += static_cast<int64_t>(r->members.size());

  // Launches `fraction` (0..1] of each worker's sockets not launched yet.
  std::vector<size_t> launched(workers.size(), 0);
  auto launch_until = [&](double fraction) {
    for (size_t i = 0; i < workers.size(); ++i) {
      Worker& w = *workers[i];
      std::vector<Sock*> all;
      for (Room* r : w.rooms)
        for (Sock& s : r->members) all.push_back(&s);
      size_t until = static_cast<size_t>(static_cast<double>(all.size()) * fraction);
      std::vector<Sock*> batch(all.begin() + static_cast<long>(launched[i]),
                               all.begin() + static_cast<long>(until));
      launched[i] = until;
      asio::co_spawn(w.io, Launch(w, std::move(batch)), asio::detached);
    }
  };

  std::printf(
      "bench_live_load: mode %s, %lld sockets in %zu rooms (shard %d/%d), %d threads, "
      "server pid %d, load average %s\n",
      o.mode.c_str(), (long long)mine_sockets, mine.size(), o.shard, o.shards, o.threads,
      o.server_pid, LoadAverage().c_str());
  std::fflush(stdout);

  if (o.mode == "idle") {
    Memory m0 = ReadMemory(o.server_pid);
    PrintMemory("before (0 sockets):", m0, 0);
    launch_until(0.5);
    int64_t half = 0;
    for (size_t n : launched) half += static_cast<int64_t>(n);
    double t1 = WaitConnected(workers, half);
    Memory m1 = Settle(o.server_pid);
    int64_t c1 = Total(workers, &Stats::connected);
    char label[64];
    std::snprintf(label, sizeof label, "at %lld sockets:", (long long)c1);
    PrintMemory(label, m1, c1);
    std::printf("    (connected in %.1f s)\n", t1);
    launch_until(1.0);
    const double cpu0 = CpuSeconds(o.server_pid);
    double t2 = WaitConnected(workers, mine_sockets);
    Memory m2 = Settle(o.server_pid);
    int64_t c2 = Total(workers, &Stats::connected);
    std::snprintf(label, sizeof label, "at %lld sockets:", (long long)c2);
    PrintMemory(label, m2, c2);
    std::printf("    (second half connected in %.1f s, server CPU %.1f s)\n", t2,
                CpuSeconds(o.server_pid) - cpu0);
    const double hold_cpu0 = CpuSeconds(o.server_pid);
    std::this_thread::sleep_for(std::chrono::seconds(o.hold_s));
    const double hold_cpu = CpuSeconds(o.server_pid) - hold_cpu0;
    Memory m3 = ReadMemory(o.server_pid);
    std::snprintf(label, sizeof label, "after holding %d s:", o.hold_s);
    PrintMemory(label, m3, c2);
    const int64_t dropped = Total(workers, &Stats::dropped);
    std::printf(
        "  sockets: %lld connected, %lld failed, %lld dropped while held; retries %lld\n",
        (long long)c2, (long long)Total(workers, &Stats::failed), (long long)dropped,
        (long long)[&] {
          int64_t n = 0;
          for (auto& w : workers) n += w->stats.retries;
          return n;
        }());
    PrintRefusals(workers);
    PrintServerMetrics(o.metrics_port);
    std::printf("  server CPU while holding idle: %.2f s over %d s (%.1f%% of one core)\n",
                hold_cpu, o.hold_s, 100.0 * hold_cpu / o.hold_s);
    std::printf(
        "  per socket (VmRSS): %.0f bytes average over %lld sockets; %.0f bytes marginal "
        "(%lld -> %lld sockets)\n",
        PerSocket(m2.vm_rss, m0.vm_rss, c2), (long long)c2,
        PerSocket(m2.vm_rss, m1.vm_rss, c2 - c1), (long long)c1, (long long)c2);
    std::printf("  per socket (Anonymous): %.0f bytes average; %.0f bytes marginal\n",
                PerSocket(m2.anonymous, m0.anonymous, c2),
                PerSocket(m2.anonymous, m1.anonymous, c2 - c1));
    std::printf("  per socket after holding (VmRSS): %.0f bytes average\n",
                PerSocket(m3.vm_rss, m0.vm_rss, c2 - dropped));
    std::printf("  load average %s\n", LoadAverage().c_str());
  } else {
    launch_until(1.0);
    double t = WaitConnected(workers, mine_sockets);
    const int64_t connected = Total(workers, &Stats::connected);
    std::printf("  connected %lld of %lld sockets in %.1f s\n", (long long)connected,
                (long long)mine_sockets, t);
    PrintRefusals(workers);
    std::this_thread::sleep_for(std::chrono::seconds(2));  // the joins' presence events settle
    g_t0_ns = NowNs() + 1'000'000'000;
    g_stop_ns = g_t0_ns + int64_t{o.duration_s} * 1'000'000'000;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (auto& w : workers) {
      for (Room* r : w->rooms) {
        for (Sock& s : r->members) {
          seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
          const int64_t presence_offset =
              static_cast<int64_t>(seed % (uint64_t(o.presence_period_s) * 1'000'000'000ull));
          asio::co_spawn(w->io, SendLoop(*w, s, presence_offset), asio::detached);
        }
      }
    }
    std::this_thread::sleep_until(Clock::time_point(std::chrono::nanoseconds(g_t0_ns)));
    const double server0 = CpuSeconds(o.server_pid), self0 = CpuSeconds(getpid());
    const auto wall0 = Clock::now();
    std::this_thread::sleep_until(Clock::time_point(std::chrono::nanoseconds(g_stop_ns)));
    const double server_cpu = CpuSeconds(o.server_pid) - server0;
    const double self_cpu = CpuSeconds(getpid()) - self0;
    const double wall = std::chrono::duration<double>(Clock::now() - wall0).count();
    std::this_thread::sleep_for(kDrain);
    PrintServerMetrics(o.metrics_port);
    g_stopping = true;
    for (auto& w : workers) {
      w->guard.reset();
      w->io.stop();
      w->thread.join();
    }
    // Totals.
    int64_t sent = 0, received = 0, expected = 0, delivered_of_sent = 0, presence_sent = 0,
            presence_received = 0, acks = 0, errors = 0, other = 0, unknown = 0;
    std::map<std::string, int64_t> codes;
    std::vector<uint32_t> lat;
    for (auto& w : workers) {
      Stats& s = w->stats;
      sent += s.chat_sent;
      received += s.chat_received;
      presence_sent += s.presence_sent;
      presence_received += s.presence_received;
      acks += s.acks;
      errors += s.errors;
      other += s.other;
      unknown += s.late_or_unknown;
      for (auto& [c, n] : s.error_codes) codes[c] += n;
      lat.insert(lat.end(), s.latency_us.begin(), s.latency_us.end());
      for (Room* r : w->rooms) {
        for (size_t k = 0; k < r->sent.size(); ++k) {
          if (!r->sent[k]) continue;
          expected += static_cast<int64_t>(r->members.size());
          delivered_of_sent += r->received[k];
        }
      }
    }
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) -> double {
      if (lat.empty()) return 0;
      size_t i = static_cast<size_t>(p * static_cast<double>(lat.size() - 1) + 0.5);
      return lat[std::min(i, lat.size() - 1)] / 1000.0;
    };
    std::printf(
        "  window %.1f s: chat %lld sent (%.1f/s), %lld delivered of %lld expected "
        "(%lld lost), %lld deliveries in all\n",
        wall, (long long)sent, static_cast<double>(sent) / wall, (long long)delivered_of_sent,
        (long long)expected, (long long)(expected - delivered_of_sent), (long long)received);
    std::printf(
        "  presence: %lld updates sent, %lld presence.updated received; acks %lld, "
        "errors %lld, other frames %lld, unparsed chat %lld\n",
        (long long)presence_sent, (long long)presence_received, (long long)acks, (long long)errors,
        (long long)other, (long long)unknown);
    for (auto& [c, n] : codes) std::printf("  error %s: %lld\n", c.c_str(), (long long)n);
    std::printf(
        "  delivery latency ms (%zu samples): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  "
        "max %.2f\n",
        lat.size(), pct(0.5), pct(0.9), pct(0.99), pct(0.999),
        lat.empty() ? 0.0 : lat.back() / 1000.0);
    std::printf("  sockets dropped during the run: %lld\n",
                (long long)Total(workers, &Stats::dropped));
    std::printf(
        "  server CPU %.1f s over %.1f s = %.1f%% of one core; load generator CPU %.1f s "
        "= %.1f%% of one core\n",
        server_cpu, wall, 100.0 * server_cpu / wall, self_cpu, 100.0 * self_cpu / wall);
    const int64_t frames = received + presence_received + acks;
    std::printf(
        "  CPU per frame delivered (chat.message + presence.updated + ack, %lld frames): "
        "server %.1f us, load generator %.1f us\n",
        (long long)frames, frames ? 1e6 * server_cpu / static_cast<double>(frames) : 0.0,
        frames ? 1e6 * self_cpu / static_cast<double>(frames) : 0.0);
    std::printf("  load average %s\n", LoadAverage().c_str());
  }
  std::fflush(stdout);
  _exit(0);
}
