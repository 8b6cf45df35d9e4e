// imap_load: the IMAP load generator of bench/imap/run (bench/README.md).
// Runs N concurrent clients against one IMAP server, one operation per
// phase, and prints one JSON line per phase: ops/s and p50/p99 latency.
//   login        connect (+ TLS) .. greeting .. LOGIN OK, then LOGOUT
//   select       SELECT INBOX
//   fetch_flags  FETCH 1:* (FLAGS RFC822.SIZE)   (checks one FETCH per message)
//   fetch_body   FETCH <random> BODY.PEEK[]
//   store        STORE <random> +FLAGS/-FLAGS (\Flagged), alternating
//   search       SEARCH by subject, flag, sender, date (rotating)
//   search_body  SEARCH BODY / TEXT (reads every message)
//   idle         even clients IDLE, odd ones STORE on the same user every
//                --idle-store-interval; latency = STORE sent .. the idler's
//                untagged FETCH for that message
// An operation counts when its answer arrives in the measured window.
// --idle-hold K opens K connections (LOGIN, SELECT, IDLE), prints
// "ready <idling> <failed> <seconds>" and holds them for --hold seconds or
// until standard input closes, for the server's memory per connection.
// Run by hand: imap_load --port P [--plain] --user bench%@example.test --users U
//   --password PW --clients N --seconds S --warmup W --ops login,select,...
#include <arpa/inet.h>
#include <event2/event.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "imap_connection.hpp"
#include "latency_recorder.hpp"

namespace gm::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kGraceSeconds = 60;  // for the last commands to finish after a phase ends

enum class Op { kLogin, kSelect, kFetchFlags, kFetchBody, kStore, kSearch, kSearchBody, kIdle };
struct OpName {
  Op op;
  std::string_view name;
};
constexpr OpName kOpNames[] = {
    {Op::kLogin, "login"},
    {Op::kSelect, "select"},
    {Op::kFetchFlags, "fetch_flags"},
    {Op::kFetchBody, "fetch_body"},
    {Op::kStore, "store"},
    {Op::kSearch, "search"},
    {Op::kSearchBody, "search_body"},
    {Op::kIdle, "idle"},
};
// Markers of bench/imap/corpus.py's messages.
constexpr std::string_view kSearches[] = {"SEARCH SUBJECT needle", "SEARCH FLAGGED",
                                          "SEARCH UNSEEN", "SEARCH FROM user17@example.org",
                                          "SEARCH SINCE 18-Nov-2023 NOT DELETED"};
constexpr std::string_view kBodySearches[] = {"SEARCH BODY haystackword",
                                              "SEARCH TEXT nosuchwordanywhere"};

struct Options {
  std::string host = "127.0.0.1";
  int port = 993;
  bool tls = true;
  std::string user = "bench@example.test";  // '%' is replaced by 1..users
  int users = 1;
  std::string password;
  int clients = 8;
  double seconds = 10, warmup = 1, idle_store_interval = 0.05;
  std::vector<Op> ops;
  int idle_hold = 0, parallel = 100;
  double hold = 0;  // 0: until standard input closes
};

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::optional<uint32_t> number(std::string_view text) {
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return n;
}

std::string user_name(const Options& options, int index) {
  std::string name = options.user;
  if (size_t at = name.find('%'); at != std::string::npos)
    name.replace(at, 1, std::to_string(index + 1));
  return name;
}

class Phase;

// One simulated IMAP client: logs in, selects INBOX, repeats the phase's
// operation until the phase stops, logs out.
class Client {
 public:
  enum class Role { kWorker, kIdler, kIdleWriter };
  Client(Phase& phase, int id, Role role);
  void start();
  void stop();
  bool finished() const { return state_ == State::kClosed; }
  int user() const { return user_; }

 private:
  enum class State {
    kGreeting,
    kLogin,
    kSelect,
    kRunning,
    kPaused,
    kIdleStart,
    kIdling,
    kIdleDone,
    kLogout,
    kClosed
  };
  void on_response(std::string_view line, size_t literal_bytes);
  void on_untagged(std::string_view line);
  void on_tagged(bool ok, std::string_view line);
  void on_closed(std::string_view why);
  void command(std::string_view text);
  void next_command();
  void store(uint32_t seq);
  void logout();
  void fail(std::string_view what, std::string_view line);
  static void timer_callback(evutil_socket_t, short, void* self);

  Phase& phase_;
  int id_, user_;
  Role role_;
  std::mt19937 random_;
  std::unique_ptr<ImapConnection> connection_;
  std::unique_ptr<event, decltype(&event_free)> timer_{nullptr, &event_free};
  State state_ = State::kGreeting;
  std::string tag_;
  uint32_t next_tag_ = 0, exists_ = 0, fetched_ = 0, rotation_ = 0;
  size_t fetched_bytes_ = 0;  // literal bytes of the current command's answers
  bool flag_on_ = false;
  Clock::time_point connect_started_, sent_;
};

class Phase {
 public:
  Phase(event_base* base, SSL_CTX* tls, const sockaddr_in& address, const Options& options, Op op)
      : base_(base), tls_(tls), address_(address), options_(options), op_(op) {}

  // Runs the phase to its end; returns its JSON line.
  std::string run();
  // --idle-hold: opens the connections and holds them.
  void hold();

  // Called by clients.
  Op op() const { return op_; }
  const Options& options() const { return options_; }
  event_base* base() const { return base_; }
  std::unique_ptr<ImapConnection> connect(ImapConnection::ResponseHandler,
                                          ImapConnection::ConnectedHandler,
                                          ImapConnection::ClosedHandler);
  bool stopping() const { return stopping_; }
  bool holding() const { return holding_; }
  // An operation counts when its answer arrives inside the measured window,
  // whenever it started: slow operations (a body SEARCH under load takes
  // longer than the window) still count.
  bool measuring(Clock::time_point now) const {
    return measure_from_ && now >= *measure_from_ && now < end_;
  }
  void record(Clock::time_point started) {
    Clock::time_point now = Clock::now();
    if (measuring(now)) recorder_.record(std::chrono::duration<double>(now - started).count());
  }
  void error(std::string_view what) {
    if (errors_shown_++ < 5) std::fprintf(stderr, "imap_load: %s\n", std::string(what).c_str());
    recorder_.error();
  }
  void client_ready();
  void client_closed();
  // The idle phase's STORE times, per user and sequence number.
  void store_sent(int user, uint32_t seq) {
    auto& times = store_times_[static_cast<size_t>(user)];
    if (seq < times.size()) times[seq] = Clock::now();
  }
  void idle_notified(int user, uint32_t seq) {
    auto& times = store_times_[static_cast<size_t>(user)];
    if (seq < times.size() && times[seq] != Clock::time_point{}) record(times[seq]);
  }
  void set_exists(int user, uint32_t exists) {
    auto& times = store_times_[static_cast<size_t>(user)];
    if (times.size() < exists + 1) times.resize(exists + 1);
  }

 private:
  static void end_callback(evutil_socket_t, short, void* self);
  static void grace_callback(evutil_socket_t, short, void* self);
  static void stdin_callback(evutil_socket_t, short, void* self);
  void start_measuring();
  void stop_all();
  void start_more();

  event_base* base_;
  SSL_CTX* tls_;
  sockaddr_in address_;
  const Options& options_;
  Op op_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<std::vector<Clock::time_point>> store_times_;
  LatencyRecorder recorder_;
  std::optional<Clock::time_point> measure_from_;
  Clock::time_point end_, started_;
  size_t ready_ = 0, closed_ = 0, started_clients_ = 0, errors_shown_ = 0;
  bool stopping_ = false, holding_ = false;
  using EventPtr = std::unique_ptr<event, decltype(&event_free)>;
  EventPtr end_timer_{nullptr, &event_free}, grace_timer_{nullptr, &event_free},
      hold_event_{nullptr, &event_free};
};

Client::Client(Phase& phase, int id, Role role)
    : phase_(phase),
      id_(id),
      // IDLE pairs an idler and a writer on each user: clients 2k and 2k+1.
      user_((phase.op() == Op::kIdle && !phase.holding() ? id / 2 : id) % phase.options().users),
      role_(role),
      random_(static_cast<uint32_t>(id) * 7919u + 17u) {}

void Client::start() {
  state_ = State::kGreeting;
  connect_started_ = Clock::now();
  connection_ =
      phase_.connect([this](std::string_view line, size_t bytes) { on_response(line, bytes); },
                     [] {}, [this](std::string_view why) { on_closed(why); });
}

void Client::command(std::string_view text) {
  tag_ = "a" + std::to_string(++next_tag_);
  sent_ = Clock::now();
  connection_->send(tag_ + " " + std::string(text) + "\r\n");
}

void Client::on_response(std::string_view line, size_t literal_bytes) {
  if (state_ == State::kGreeting) {
    if (!line.starts_with("* OK")) return fail("greeting", line);
    state_ = State::kLogin;
    return command("LOGIN \"" + user_name(phase_.options(), user_) + "\" \"" +
                   phase_.options().password + "\"");
  }
  if (line.starts_with("* ")) {
    fetched_bytes_ += literal_bytes;
    return on_untagged(line.substr(2));
  }
  if (line.starts_with("+")) {
    if (state_ == State::kIdleStart) {
      state_ = State::kIdling;
      if (phase_.stopping())
        stop();
      else
        phase_.client_ready();
    }
    return;
  }
  size_t space = line.find(' ');
  if (space == std::string_view::npos || line.substr(0, space) != tag_) return;
  on_tagged(line.substr(space + 1).starts_with("OK"), line);
}

void Client::on_untagged(std::string_view line) {
  size_t space = line.find(' ');
  std::optional<uint32_t> n = number(line.substr(0, space));
  if (!n || space == std::string_view::npos) return;
  std::string_view what = line.substr(space + 1);
  if (what.starts_with("EXISTS")) {
    exists_ = *n;
    phase_.set_exists(user_, *n);
  } else if (what.starts_with("FETCH")) {
    ++fetched_;
    if (state_ == State::kIdling) phase_.idle_notified(user_, *n);
  }
}

void Client::on_tagged(bool ok, std::string_view line) {
  switch (state_) {
    case State::kLogin:
      if (!ok) return fail("LOGIN", line);
      if (phase_.op() == Op::kLogin) {
        phase_.record(connect_started_);
        return logout();
      }
      state_ = State::kSelect;
      return command("SELECT INBOX");
    case State::kSelect:
      if (!ok) return fail("SELECT", line);
      state_ = State::kRunning;
      if (phase_.stopping()) return logout();
      if (role_ != Role::kIdler) phase_.client_ready();  // an idler is ready once idling
      return next_command();
    case State::kRunning:
      if (!ok)
        phase_.error(std::string("answer: ") + std::string(line));
      else if (phase_.op() == Op::kFetchFlags && fetched_ != exists_)
        phase_.error("FETCH 1:* returned " + std::to_string(fetched_) + " of " +
                     std::to_string(exists_));
      else if (phase_.op() == Op::kFetchBody && fetched_bytes_ == 0)
        phase_.error("FETCH BODY.PEEK[] returned no literal");
      else if (role_ == Role::kWorker)
        phase_.record(sent_);
      if (phase_.stopping()) return logout();
      return next_command();
    case State::kIdleDone:
      return logout();
    default:
      return;
  }
}

void Client::next_command() {
  fetched_ = 0;
  fetched_bytes_ = 0;
  uint32_t random_message = exists_ == 0 ? 1 : 1 + random_() % exists_;
  switch (role_ == Role::kIdler ? Op::kIdle : phase_.op()) {
    case Op::kLogin:
      return;
    case Op::kSelect:
      return command("SELECT INBOX");
    case Op::kFetchFlags:
      return command("FETCH 1:* (FLAGS RFC822.SIZE)");
    case Op::kFetchBody:
      return command("FETCH " + std::to_string(random_message) + " BODY.PEEK[]");
    case Op::kSearch:
      return command(kSearches[rotation_++ % std::size(kSearches)]);
    case Op::kSearchBody:
      return command(kBodySearches[rotation_++ % std::size(kBodySearches)]);
    case Op::kIdle:
      if (role_ == Role::kIdler) {
        state_ = State::kIdleStart;
        return command("IDLE");
      }
      if (role_ == Role::kIdleWriter && state_ == State::kRunning && !timer_) {
        // Paced: the writer waits between STOREs, so the latency is the
        // server's notification path, not a queue of our own STOREs.
        timer_.reset(evtimer_new(phase_.base(), timer_callback, this));
        timeval interval{0, static_cast<suseconds_t>(phase_.options().idle_store_interval * 1e6)};
        state_ = State::kPaused;
        evtimer_add(timer_.get(), &interval);
        return;
      }
      return store(random_message);
    case Op::kStore:
      return store(random_message);
  }
}

void Client::store(uint32_t seq) {
  flag_on_ = !flag_on_;
  if (role_ == Role::kIdleWriter) phase_.store_sent(user_, seq);
  command("STORE " + std::to_string(seq) + (flag_on_ ? " +" : " -") + "FLAGS (\\Flagged)");
}

void Client::timer_callback(evutil_socket_t, short, void* self) {
  auto* client = static_cast<Client*>(self);
  client->timer_.reset();
  if (client->state_ != State::kPaused) return;
  client->state_ = State::kRunning;
  if (client->phase_.stopping()) return client->logout();
  client->store(client->exists_ == 0 ? 1 : 1 + client->random_() % client->exists_);
}

void Client::stop() {
  if (state_ == State::kIdling) {
    state_ = State::kIdleDone;
    connection_->send("DONE\r\n");
  } else if (state_ == State::kPaused) {
    timer_.reset();
    logout();
  }
}

void Client::logout() {
  state_ = State::kLogout;
  command("LOGOUT");
}

void Client::fail(std::string_view what, std::string_view line) {
  phase_.error(std::string(what) + ": " + std::string(line));
  state_ = State::kLogout;
  connection_->send("z LOGOUT\r\n");
}

void Client::on_closed(std::string_view why) {
  bool expected = state_ == State::kLogout;
  if (!expected) phase_.error("client " + std::to_string(id_) + ": " + std::string(why));
  if (phase_.op() == Op::kLogin && expected && !phase_.stopping()) {
    // The connection object is inside its own callback: replace it on the next loop turn.
    event_base_once(
        phase_.base(), -1, EV_TIMEOUT,
        [](evutil_socket_t, short, void* self) { static_cast<Client*>(self)->start(); }, this,
        nullptr);
    return;
  }
  state_ = State::kClosed;
  phase_.client_closed();
}

std::unique_ptr<ImapConnection> Phase::connect(ImapConnection::ResponseHandler response,
                                               ImapConnection::ConnectedHandler connected,
                                               ImapConnection::ClosedHandler closed) {
  return std::make_unique<ImapConnection>(base_, tls_, address_, std::move(response),
                                          std::move(connected), std::move(closed));
}

std::string Phase::run() {
  started_ = Clock::now();
  store_times_.assign(static_cast<size_t>(options_.users), {});
  for (int i = 0; i < options_.clients; ++i) {
    Client::Role role = Client::Role::kWorker;
    if (op_ == Op::kIdle) role = i % 2 == 0 ? Client::Role::kIdler : Client::Role::kIdleWriter;
    clients_.push_back(std::make_unique<Client>(*this, i, role));
  }
  if (op_ == Op::kLogin) start_measuring();  // no setup before the measured operation
  for (auto& client : clients_) client->start();
  event_base_dispatch(base_);
  double elapsed = measure_from_ ? std::chrono::duration<double>(end_ - *measure_from_).count() : 0;
  for (const OpName& name : kOpNames)
    if (name.op == op_) return recorder_.json(std::string(name.name), elapsed);
  return {};
}

void Phase::client_ready() {
  ++ready_;
  if (holding_) return start_more();
  if (ready_ + closed_ == clients_.size() && !measure_from_) start_measuring();
}

void Phase::start_measuring() {
  measure_from_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(options_.warmup));
  end_ = *measure_from_ + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(options_.seconds));
  timeval total{static_cast<time_t>(options_.warmup + options_.seconds),
                static_cast<suseconds_t>(std::fmod(options_.warmup + options_.seconds, 1.0) * 1e6)};
  end_timer_.reset(evtimer_new(base_, end_callback, this));
  evtimer_add(end_timer_.get(), &total);
}

void Phase::end_callback(evutil_socket_t, short, void* self) {
  auto* phase = static_cast<Phase*>(self);
  phase->stop_all();
  timeval grace{static_cast<time_t>(kGraceSeconds), 0};
  phase->grace_timer_.reset(evtimer_new(phase->base_, grace_callback, phase));
  evtimer_add(phase->grace_timer_.get(), &grace);
}

void Phase::stop_all() {
  stopping_ = true;
  for (auto& client : clients_) client->stop();
}

void Phase::grace_callback(evutil_socket_t, short, void* self) {
  auto* phase = static_cast<Phase*>(self);
  phase->error(std::to_string(phase->clients_.size() - phase->closed_) +
               " clients still busy after the grace period");
  event_base_loopexit(phase->base_, nullptr);
}

void Phase::client_closed() {
  if (++closed_ == clients_.size()) event_base_loopexit(base_, nullptr);
  if (holding_)
    start_more();
  else if (ready_ + closed_ == clients_.size() && !measure_from_)
    start_measuring();
}

void Phase::hold() {
  holding_ = true;
  store_times_.assign(static_cast<size_t>(options_.users), {});
  for (int i = 0; i < options_.idle_hold; ++i)
    clients_.push_back(std::make_unique<Client>(*this, i, Client::Role::kIdler));
  started_ = Clock::now();
  start_more();
  event_base_dispatch(base_);
}

// Keeps --parallel connections in setup until all are started; once every
// connection is idling or closed, reports and holds.
void Phase::start_more() {
  if (stopping_) return;
  while (started_clients_ < clients_.size() &&
         started_clients_ - ready_ - closed_ < static_cast<size_t>(options_.parallel)) {
    clients_[started_clients_++]->start();
  }
  if (ready_ + closed_ < clients_.size()) return;
  std::printf("ready %zu %zu %.1f\n", ready_, closed_, since(started_));
  std::fflush(stdout);
  stopping_ = true;  // nothing more to start; the loop now only holds
  if (options_.hold > 0) {
    timeval t{static_cast<time_t>(options_.hold), 0};
    hold_event_.reset(evtimer_new(
        base_,
        [](evutil_socket_t, short, void* b) {
          event_base_loopexit(static_cast<event_base*>(b), nullptr);
        },
        base_));
    evtimer_add(hold_event_.get(), &t);
  } else {
    hold_event_.reset(event_new(base_, STDIN_FILENO, EV_READ | EV_PERSIST, stdin_callback, this));
    event_add(hold_event_.get(), nullptr);
  }
}

void Phase::stdin_callback(evutil_socket_t fd, short, void* self) {
  char buffer[256];
  if (read(fd, buffer, sizeof buffer) <= 0)
    event_base_loopexit(static_cast<Phase*>(self)->base_, nullptr);
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "imap_load: %s\nusage: imap_load --port P [--host H] [--plain] [--user U%%] "
               "[--users N] --password PW\n  [--clients N] [--seconds S] [--warmup W] "
               "[--ops login,select,fetch_flags,fetch_body,store,search,search_body,idle]\n"
               "  [--idle-store-interval S] | --idle-hold K [--parallel P] [--hold S]\n",
               why);
  std::exit(2);
}

std::vector<Op> parse_ops(std::string_view list) {
  std::vector<Op> ops;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    bool found = false;
    for (const OpName& each : kOpNames)
      if (each.name == name) ops.push_back(each.op), found = true;
    if (!found) usage("unknown operation");
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
  }
  return ops;
}

Options parse_options(int argc, char** argv) {
  Options options;
  options.ops = parse_ops("login,select,fetch_flags,fetch_body,store,search,search_body,idle");
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) usage("missing value");
      return argv[++i];
    };
    auto count = [&]() -> int {
      std::optional<uint32_t> n = number(value());
      if (!n) usage("bad number");
      return static_cast<int>(*n);
    };
    auto real = [&]() { return std::strtod(std::string(value()).c_str(), nullptr); };
    if (arg == "--host")
      options.host = value();
    else if (arg == "--port")
      options.port = count();
    else if (arg == "--plain")
      options.tls = false;
    else if (arg == "--user")
      options.user = value();
    else if (arg == "--users")
      options.users = std::max(1, count());
    else if (arg == "--password")
      options.password = value();
    else if (arg == "--clients")
      options.clients = std::max(1, count());
    else if (arg == "--seconds")
      options.seconds = real();
    else if (arg == "--warmup")
      options.warmup = real();
    else if (arg == "--idle-store-interval")
      options.idle_store_interval = real();
    else if (arg == "--ops")
      options.ops = parse_ops(value());
    else if (arg == "--idle-hold")
      options.idle_hold = count();
    else if (arg == "--parallel")
      options.parallel = std::max(1, count());
    else if (arg == "--hold")
      options.hold = real();
    else
      usage("unknown option");
  }
  if (options.password.empty()) usage("--password is required");
  return options;
}

void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int run(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  raise_file_limit();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(options.port));
  if (inet_pton(AF_INET, options.host.c_str(), &address.sin_addr) != 1) usage("bad --host");
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> tls(nullptr, &SSL_CTX_free);
  if (options.tls) {
    tls.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_verify(tls.get(), SSL_VERIFY_NONE, nullptr);  // the servers' self-signed certs
  }
  std::unique_ptr<event_base, decltype(&event_base_free)> base(event_base_new(), &event_base_free);
  if (options.idle_hold > 0) {
    Phase phase(base.get(), tls.get(), address, options, Op::kIdle);
    phase.hold();
    return 0;
  }
  for (Op op : options.ops) {
    Phase phase(base.get(), tls.get(), address, options, op);
    std::printf("%s\n", phase.run().c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace gm::bench

int main(int argc, char** argv) {
  return gm::bench::run(argc, argv);
}
