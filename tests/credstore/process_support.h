// Child processes for the store tests (several devices on one vault, crashes): fork a function
// into a child whose exit status reports success, and pass small messages over pipes. The child
// never returns into doctest; it ends with _exit.
#pragma once

#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <optional>

#include "authenticator/bytes.h"

namespace vfido::test {

class Pipe {
 public:
  Pipe() { REQUIRE(::pipe(fds_) == 0); }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  void close_read() {
    if (fds_[0] >= 0) ::close(fds_[0]);
    fds_[0] = -1;
  }
  void close_write() {
    if (fds_[1] >= 0) ::close(fds_[1]);
    fds_[1] = -1;
  }
  // All of `b`, or false.
  bool write_all(ByteSpan b) const {
    std::size_t done = 0;
    while (done < b.size()) {
      ssize_t n = ::write(fds_[1], b.data() + done, b.size() - done);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Exactly n bytes within timeout_ms, or nullopt (end of stream or timeout).
  std::optional<Bytes> read_exact(std::size_t n, int timeout_ms = 10000) const {
    Bytes out(n);
    std::size_t done = 0;
    while (done < n) {
      pollfd pfd{fds_[0], POLLIN, 0};
      if (::poll(&pfd, 1, timeout_ms) != 1) return std::nullopt;
      ssize_t got = ::read(fds_[0], out.data() + done, n - done);
      if (got <= 0) return std::nullopt;
      done += static_cast<std::size_t>(got);
    }
    return out;
  }

 private:
  int fds_[2] = {-1, -1};
};

// Runs body() in a child process; the child exits with its return value (0 = success).
inline pid_t spawn(const std::function<int()>& body) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (...) {
      code = 2;
    }
    ::_exit(code);
  }
  return pid;
}

// The exit status of a child, or -signal when a signal ended it.
inline int wait_child(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1000;
}

}  // namespace vfido::test
