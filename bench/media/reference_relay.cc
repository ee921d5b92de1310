// bench_media_reference: the floor beside the Janus fan-out figures (bench/media/fanout.mjs,
// bench/RESULTS.md "Media"). A bare UDP relay: one thread receives a stream of datagrams at the
// packet rate and sizes the benchmark measured for the teacher's video and audio, and sends each
// datagram on to N subscribers' UDP ports with one sendto() per copy. No ICE, DTLS, SRTP, RTCP,
// NACK buffers, plugin or threads per subscriber: what is left is the kernel's cost of moving the
// same packets, which no media server can go below.
//
//   bench_media_reference --subscribers 20 --pps 95 --bytes 700 --seconds 20 --address 198.18.0.2
//
// Prints one JSON line: the relay thread's CPU (CLOCK_THREAD_CPUTIME_ID, which includes the
// kernel's work done in its context) in cores, and the datagrams sent. The subscribers' sockets are
// bound on --address and never read: once a socket's buffer is full the kernel drops what arrives,
// which costs the sender nothing extra. Exits 1 on a socket error, 2 on bad arguments.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  int subscribers = 10;
  double pps = 100;
  int bytes = 700;
  double seconds = 20;
  std::string address = "127.0.0.1";
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A UDP socket bound on `address`, port chosen by the kernel; -1 on error.
int BoundSocket(const std::string& address, sockaddr_in* bound) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1 ||
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof(*bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(bound), &len);
  return fd;
}

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--subscribers") {
      o->subscribers = std::atoi(value);
    } else if (name == "--pps") {
      o->pps = std::atof(value);
    } else if (name == "--bytes") {
      o->bytes = std::atoi(value);
    } else if (name == "--seconds") {
      o->seconds = std::atof(value);
    } else if (name == "--address") {
      o->address = value;
    } else {
      return false;
    }
  }
  // Bounded, as every load here is (threats.md).
  return o->subscribers >= 0 && o->subscribers <= 1000 && o->pps > 0 && o->pps <= 10000 &&
         o->bytes > 0 && o->bytes <= 1400 && o->seconds > 0 && o->seconds <= 120;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc % 2 != 1 || !ParseOptions(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: bench_media_reference --subscribers N (0-1000) --pps P (<=10000) "
                 "--bytes B (<=1400) --seconds S (<=120) --address A\n");
    return 2;
  }
  sockaddr_in relay_addr{};
  const int relay = BoundSocket(o.address, &relay_addr);
  sockaddr_in source_addr{};
  const int source = BoundSocket(o.address, &source_addr);
  std::vector<sockaddr_in> sinks(static_cast<size_t>(o.subscribers));
  std::vector<int> sink_fds;
  for (auto& sink : sinks) {
    const int fd = BoundSocket(o.address, &sink);
    if (fd < 0) {
      std::perror("sink socket");
      return 1;
    }
    sink_fds.push_back(fd);
  }
  if (relay < 0 || source < 0) {
    std::perror("relay socket");
    return 1;
  }
  timeval tv{0, 200'000};
  setsockopt(relay, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

  std::atomic<bool> done{false};
  // The publisher: datagrams of --bytes at --pps, evenly paced, to the relay.
  std::thread publisher([&] {
    std::vector<char> packet(static_cast<size_t>(o.bytes), 'x');
    const auto period = std::chrono::duration<double>(1.0 / o.pps);
    auto next = std::chrono::steady_clock::now();
    while (!done.load()) {
      sendto(source, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&relay_addr),
             sizeof(relay_addr));
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
      std::this_thread::sleep_until(next);
    }
  });

  // The relay: every datagram received goes to every subscriber.
  std::vector<char> buffer(2048);
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(o.seconds);
  const double cpu_before = ThreadCpuSeconds();
  long long received = 0;
  long long sent = 0;
  long long failed = 0;
  while (std::chrono::steady_clock::now() < end) {
    const ssize_t n = recv(relay, buffer.data(), buffer.size(), 0);
    if (n <= 0) continue;
    ++received;
    for (const auto& sink : sinks) {
      if (sendto(relay, buffer.data(), static_cast<size_t>(n), 0,
                 reinterpret_cast<const sockaddr*>(&sink), sizeof(sink)) == n) {
        ++sent;
      } else {
        ++failed;
      }
    }
  }
  const double cpu = ThreadCpuSeconds() - cpu_before;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  done.store(true);
  publisher.join();
  std::printf(
      "{\"subscribers\":%d,\"seconds\":%.3f,\"received\":%lld,\"sent\":%lld,\"failed\":%lld,"
      "\"relay_cores\":%.6f}\n",
      o.subscribers, wall, received, sent, failed, cpu / wall);
  for (int fd : sink_fds) close(fd);
  close(relay);
  close(source);
  return 0;
}
