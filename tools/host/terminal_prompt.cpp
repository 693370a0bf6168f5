#include "tools/host/terminal_prompt.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>

namespace vfido::host {

namespace asio = boost::asio;

namespace {

std::string lowered_trimmed(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string out = s.substr(b, e - b);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Text from a host (RP ID, user name) shown on a terminal: control characters would let a
// relying party move the cursor or retitle the window, so they are replaced.
std::string printable(const std::string& s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  return out;
}

}  // namespace

tl::expected<std::shared_ptr<TerminalPrompt>, std::string> TerminalPrompt::open(asio::any_io_executor ex,
                                                                               PresenceBroker& broker, Log& log,
                                                                               const std::string& path) {
  // Two descriptions of the terminal: the reader is made non-blocking (by asio), the writer
  // stays blocking, and neither changes the flags of the daemon's own stdin/stdout.
  const int in_fd = ::open(path.c_str(), O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (in_fd < 0) {
    const int err = errno;
    return tl::unexpected("the prompt presence mode needs a terminal to ask on, but " + path +
                          " cannot be opened (" + std::strerror(err) +
                          "); run vfido in a terminal, or use --presence api and answer with `vfido ctl pending`");
  }
  if (::isatty(in_fd) == 0) {
    ::close(in_fd);
    return tl::unexpected("the prompt presence mode needs a terminal, and " + path + " is not one");
  }
  const int out_fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (out_fd < 0) {
    const int err = errno;
    ::close(in_fd);
    return tl::unexpected("cannot write to " + path + ": " + std::strerror(err));
  }
  std::shared_ptr<TerminalPrompt> p(new TerminalPrompt(std::move(ex), broker, log, in_fd, out_fd));
  broker.set_observer(p.get());
  for (const PendingRequest& r : broker.pending()) p->added(r);  // requests that came earlier
  return p;
}

TerminalPrompt::TerminalPrompt(asio::any_io_executor ex, PresenceBroker& broker, Log& log, int in_fd, int out_fd)
    : in_(std::move(ex), in_fd), out_fd_(out_fd), broker_(broker), log_(log) {}

TerminalPrompt::~TerminalPrompt() {
  close();
  if (out_fd_ >= 0) ::close(out_fd_);
}

void TerminalPrompt::start() { read_more(); }

void TerminalPrompt::close() {
  if (closed_) return;
  closed_ = true;
  broker_.set_observer(nullptr);
  boost::system::error_code ignored;
  in_.close(ignored);
}

void TerminalPrompt::read_more() {
  if (closed_) return;
  in_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                         std::size_t n) {
    if (self->closed_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // EOF (the terminal hung up) or EIO (no longer its foreground job): nobody can answer here
      // any more; waiting requests end by the core's timeout, or through the control API.
      self->log_.write(LogLevel::kWarning, "prompt: the terminal stopped answering (" + ec.message() + ")");
      self->close();
      return;
    }
    self->on_input(n);
    self->read_more();
  });
}

void TerminalPrompt::on_input(std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const char c = chunk_[i];
    if (c == '\n') {
      if (!discarding_) on_line(line_);
      line_.clear();
      discarding_ = false;
    } else if (!discarding_) {
      line_.push_back(c);
      if (line_.size() > kMaxLine) {
        line_.clear();
        discarding_ = true;
      }
    }
  }
}

void TerminalPrompt::on_line(const std::string& line) {
  if (!shown_) {
    say("vfido: nothing is waiting for an answer\n");
    return;
  }
  const std::string answer = lowered_trimmed(line);
  std::optional<PresenceResult> result;
  if (answer == "y" || answer == "yes") result = PresenceResult::kApproved;
  if (answer == "n" || answer == "no") result = PresenceResult::kDenied;
  if (!result) {
    say("vfido: answer y or n: ");
    return;
  }
  const std::uint64_t id = *shown_;
  say(*result == PresenceResult::kApproved ? "vfido: approved\n" : "vfido: denied\n");
  broker_.answer(id, *result);  // calls removed(), which shows the next request
}

void TerminalPrompt::added(const PendingRequest& request) {
  if (request.via != PresenceMode::kPrompt) return;  // api requests are answered elsewhere
  queue_.push_back(request.id);
  if (!shown_) show_next();
}

void TerminalPrompt::removed(std::uint64_t id, PresenceBroker::Removal why) {
  std::erase(queue_, id);
  if (shown_ != id) return;
  shown_.reset();
  if (why == PresenceBroker::Removal::kWithdrawn) {
    say("\nvfido: request withdrawn (the host cancelled it or it timed out)\n");
  }
  show_next();
}

void TerminalPrompt::show_next() {
  while (!shown_ && !queue_.empty()) {
    const std::uint64_t id = queue_.front();
    queue_.pop_front();
    const PendingRequest* r = broker_.find(id);
    if (r == nullptr) continue;
    shown_ = id;
    std::string text = "\nvfido: key " + r->key_id + " asks: " + describe_request(r->request);
    if (!r->request.rp_id.empty()) text += " for " + printable(r->request.rp_id);
    if (!r->request.user_name.empty()) text += ", user \"" + printable(r->request.user_name) + "\"";
    text += r->request.verification ? " - verified? [y/n] " : " - allow? [y/n] ";
    say(text);
  }
}

void TerminalPrompt::say(const std::string& text) {
  if (out_fd_ < 0) return;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(out_fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the terminal is gone; nothing more to say
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace vfido::host
