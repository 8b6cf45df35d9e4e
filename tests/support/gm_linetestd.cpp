// gm-linetestd: a tiny SMTP-flavoured line protocol on the shared server
// skeleton, so the integration tests exercise lib/net for real (listeners,
// limits, timeouts, STARTTLS, channel binding, reload). Built only with the
// tests; never installed.
//
//   220 ready                       greeting
//   NOOP          -> 250 ok
//   ECHO <text>   -> 250 <text>
//   STARTTLS      -> 220 go ahead, then the TLS handshake
//   TLS?          -> 250 tls=<version>/<cipher> | 250 plain
//   CB            -> 250 <type> <hex of the channel-binding data>
//   DATA <n>      -> 354 send, then n raw bytes -> 250 got <n> <first 16 bytes>
//   QUIT          -> 221 bye
#include <memory>
#include <string>

#include "core/str.hpp"
#include "net/connection.hpp"
#include "net/server.hpp"

namespace {

using gm::net::Connection;

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

class LineTestSession : public gm::net::Session {
 public:
  void on_connect(Connection& c) override { c.send_line("220 ready"); }

  void on_line(Connection& c, std::string_view line) override {
    std::string_view verb = line.substr(0, line.find(' '));
    std::string_view arg = verb.size() < line.size() ? line.substr(verb.size() + 1) : "";
    if (gm::iequals(verb, "NOOP")) return c.send_line("250 ok");
    if (gm::iequals(verb, "ECHO")) return c.send_line(gm::str_cat("250 ", arg));
    if (gm::iequals(verb, "TLS?"))
      return c.send_line(c.tls_active()
                             ? gm::str_cat("250 tls=", c.tls_version(), "/", c.tls_cipher())
                             : "250 plain");
    if (gm::iequals(verb, "CB")) {
      auto cb = c.channel_binding();
      return c.send_line(cb ? gm::str_cat("250 ", cb->type, " ", hex(cb->data))
                            : gm::str_cat("454 ", cb.error().message));
    }
    if (gm::iequals(verb, "STARTTLS")) {
      if (!c.tls_available() || c.tls_active()) return c.send_line("454 TLS not available");
      c.send_line("220 go ahead");
      if (auto s = c.start_tls(); !s) c.close();
      return;
    }
    if (gm::iequals(verb, "DATA")) {
      auto n = gm::parse_number<size_t>(arg);
      if (!n || *n == 0 || *n > (1u << 24)) return c.send_line("501 bad size");
      data_size_ = *n;
      received_.clear();
      c.send_line("354 send");
      return c.read_bytes(*n);
    }
    if (gm::iequals(verb, "QUIT")) {
      c.send_line("221 bye");
      return c.close_after_flush();
    }
    c.send_line("502 unknown command");
  }

  void on_data(Connection& c, std::string_view chunk, bool last) override {
    if (received_.size() < 16) received_.append(chunk.substr(0, 16 - received_.size()));
    if (last) c.send_line(gm::str_cat("250 got ", data_size_, " ", received_));
  }

  void on_line_too_long(Connection& c) override { c.send_line("500 line too long"); }
  void on_timeout(Connection& c, gm::net::Timeout) override { c.send_line("421 timeout"); }
  void on_refused(Connection& c, gm::net::Refusal) override {
    c.send_line("421 too many connections");
  }

 private:
  size_t data_size_ = 0;
  std::string received_;
};

}  // namespace

int main(int argc, char** argv) {
  return gm::net::run_server(argc, argv,
                             {"gm-linetestd",
                              "line protocol test daemon for lib/net",
                              {"tls"},
                              [](std::string_view) { return std::make_unique<LineTestSession>(); },
                              nullptr});
}
