// The `prompt` presence mode (presence_broker.h): the person at the daemon's terminal answers.
// Each request waiting with via=prompt is shown on the terminal, one at a time, oldest first —
//
//   vfido: key k1 asks: make credential for example.com, user "alice" — allow? [y/n]
//
// — and a line "y"/"yes" approves it, "n"/"no" denies it (anything else asks again). A request
// the core withdraws (CTAPHID_CANCEL, timeout) is taken off the terminal with a note. Input is
// read without blocking on the daemon's io_context (the terminal device is opened a second time
// for reading, non-blocking), so the keys keep serving while nobody types.
//
// The daemon must run in the foreground of that terminal: a background job that reads its
// terminal is stopped by the kernel (SIGTTIN).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <tl/expected.hpp>

#include "authenticator/env/log.h"
#include "tools/host/presence_broker.h"

namespace vfido::host {

class TerminalPrompt final : public PresenceBroker::Observer, public std::enable_shared_from_this<TerminalPrompt> {
 public:
  static constexpr const char* kControllingTerminal = "/dev/tty";
  // Longest answer line kept; longer input is discarded up to its newline.
  static constexpr std::size_t kMaxLine = 256;

  // Opens `path` (the controlling terminal unless a test passes a pty) and becomes the broker's
  // observer. The error explains what is missing (no terminal: run in one, or use api mode).
  static tl::expected<std::shared_ptr<TerminalPrompt>, std::string> open(boost::asio::any_io_executor ex,
                                                                        PresenceBroker& broker, Log& log,
                                                                        const std::string& path = kControllingTerminal);
  ~TerminalPrompt() override;
  TerminalPrompt(const TerminalPrompt&) = delete;
  TerminalPrompt& operator=(const TerminalPrompt&) = delete;

  // Starts reading answers.
  void start();
  // Stops reading and detaches from the broker (waiting requests stay there). Idempotent.
  void close();

  void added(const PendingRequest& request) override;
  void removed(std::uint64_t id, PresenceBroker::Removal why) override;

  // The request on screen now, if any (for tests).
  std::optional<std::uint64_t> shown() const { return shown_; }

 private:
  TerminalPrompt(boost::asio::any_io_executor ex, PresenceBroker& broker, Log& log, int in_fd, int out_fd);
  void read_more();
  void on_input(std::size_t n);
  void on_line(const std::string& line);
  void show_next();
  void say(const std::string& text);

  boost::asio::posix::stream_descriptor in_;
  int out_fd_;
  PresenceBroker& broker_;
  Log& log_;
  std::deque<std::uint64_t> queue_;  // prompt requests not yet shown, oldest first
  std::optional<std::uint64_t> shown_;
  std::array<char, 512> chunk_{};
  std::string line_;
  bool discarding_ = false;  // inside an over-long line
  bool closed_ = false;
};

}  // namespace vfido::host
