#include "tools/host/daemon_instance.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace vfido::host {
namespace {

namespace fs = std::filesystem;

std::string errno_text(const std::string& what, int err) { return what + ": " + std::strerror(err); }

std::string pid_file(const std::string& dir, const std::string& name) { return dir + "/" + name + ".pid"; }
std::string state_file(const std::string& dir, const std::string& name) { return dir + "/" + name + ".state"; }

// The pid written in an open pid file, or 0.
pid_t read_pid(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return 0;
  long v = std::strtol(buf, nullptr, 10);
  return v > 0 ? static_cast<pid_t>(v) : 0;
}

std::map<std::string, std::string> read_state(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

// True when some process holds the lock of the pid file at `path`; *pid gets its pid.
bool locked_by_someone(const std::string& path, pid_t* pid) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  bool held = false;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    held = errno == EWOULDBLOCK;
  } else {
    ::flock(fd, LOCK_UN);
  }
  if (held && pid != nullptr) *pid = read_pid(fd);
  ::close(fd);
  return held;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string runtime_dir() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/vfido";
  if (::geteuid() == 0) return "/run/vfido";
  return "/tmp/vfido-" + std::to_string(::geteuid());
}

std::string control_socket_path(const std::string& dir, const std::string& name) { return dir + "/" + name + ".ctl"; }

tl::expected<void, std::string> ensure_private_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return tl::unexpected(errno_text("cannot create " + dir, errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return tl::unexpected(errno_text("cannot inspect " + dir, errno));
  if (!S_ISDIR(st.st_mode)) return tl::unexpected(dir + " exists and is not a directory");
  if (st.st_uid != ::geteuid()) {
    return tl::unexpected(dir + " belongs to another user (uid " + std::to_string(st.st_uid) +
                          "); set XDG_RUNTIME_DIR to a directory of your own");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return tl::unexpected(dir + " is writable by other users; make it private (chmod 700)");
  }
  return {};
}

bool valid_instance_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

tl::expected<InstanceLock, std::string> InstanceLock::acquire(const std::string& dir, const std::string& name) {
  if (!valid_instance_name(name)) return tl::unexpected("invalid instance name \"" + name + "\"");
  const std::string path = pid_file(dir, name);
  // A daemon that is stopping unlinks its file while still holding the lock. Whoever opened the
  // old file meanwhile gets the lock of a file that no longer has the name: check and retry.
  for (int attempt = 0; attempt < 20; ++attempt) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return tl::unexpected(errno_text("cannot open " + path, errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      pid_t other = read_pid(fd);
      ::close(fd);
      if (err != EWOULDBLOCK) return tl::unexpected(errno_text("cannot lock " + path, err));
      return tl::unexpected("the key \"" + name + "\" is already running" +
                            (other > 0 ? " (pid " + std::to_string(other) + ")" : std::string()) +
                            ". Stop it with `vfido down" + (name == "default" ? "" : " --instance " + name) +
                            "`, or start another key with --instance NAME.");
    }
    struct stat held {}, named {};
    if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
        held.st_dev != named.st_dev) {
      ::close(fd);
      continue;
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      int err = errno;
      ::close(fd);
      return tl::unexpected(errno_text("cannot write " + path, err));
    }
    return InstanceLock(fd, path, state_file(dir, name));
  }
  return tl::unexpected("cannot take the lock " + path + ": it keeps being replaced");
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      pid_path_(std::move(other.pid_path_)),
      state_path_(std::move(other.state_path_)) {}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    pid_path_ = std::move(other.pid_path_);
    state_path_ = std::move(other.state_path_);
  }
  return *this;
}

InstanceLock::~InstanceLock() { release(); }

void InstanceLock::release() {
  if (fd_ < 0) return;
  // Unlink while still holding the lock, so nobody sees a named, unlocked, stale file.
  ::unlink(state_path_.c_str());
  ::unlink(pid_path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

tl::expected<void, std::string> InstanceLock::write_state(const StateFields& fields) {
  if (fd_ < 0) return tl::unexpected(std::string("the lock was released"));
  const std::string tmp = state_path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return tl::unexpected("cannot write " + tmp);
    for (const auto& [key, value] : fields) {
      std::string v = value;
      for (char& c : v) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      out << key << '=' << v << '\n';
    }
    if (!out.flush()) return tl::unexpected("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  if (::rename(tmp.c_str(), state_path_.c_str()) != 0) return tl::unexpected(errno_text("cannot rename " + tmp, errno));
  return {};
}

InstanceStatus query_instance(const std::string& dir, const std::string& name) {
  InstanceStatus status;
  if (!valid_instance_name(name)) return status;
  pid_t pid = 0;
  if (!locked_by_someone(pid_file(dir, name), &pid)) return status;
  status.running = true;
  status.pid = pid;
  status.state = read_state(state_file(dir, name));
  return status;
}

namespace {

// A process that still runs: it exists and is not a zombie (/proc/<pid>/stat state 'Z').
bool process_alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == EPERM;
  const std::string stat = file_text("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');  // the command name may contain spaces and parentheses
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

}  // namespace

tl::expected<bool, std::string> stop_instance(const std::string& dir, const std::string& name, int timeout_ms) {
  InstanceStatus status = query_instance(dir, name);
  if (!status.running) return false;
  if (status.pid <= 0) return tl::unexpected("the key \"" + name + "\" is running but its pid file is empty");
  if (::kill(status.pid, SIGTERM) != 0) {
    return tl::unexpected(errno_text("cannot signal pid " + std::to_string(status.pid), errno));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // The daemon releases its lock as its last act; then the process itself must be gone (or a
  // zombie its parent has yet to reap), so that the caller sees no trace of it.
  while (locked_by_someone(pid_file(dir, name), nullptr) || process_alive(status.pid)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return tl::unexpected("pid " + std::to_string(status.pid) + " did not stop within " +
                            std::to_string(timeout_ms / 1000.0).substr(0, 4) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::optional<std::string> find_hidraw(const std::string& sysfs_root, std::uint16_t vendor, std::uint16_t product,
                                       const std::string& serial) {
  // HID device names and HID_ID use the kernel's "%04X:%08X:%08X" (bus:vendor:product).
  char id[32];
  std::snprintf(id, sizeof(id), "HID_ID=0003:%08X:%08X", vendor, product);
  const std::string want_id = id;
  const std::string want_uniq = "HID_UNIQ=" + serial;
  std::error_code ec;
  const fs::path devices = fs::path(sysfs_root) / "bus/hid/devices";
  for (const auto& entry : fs::directory_iterator(devices, ec)) {
    const std::string uevent = file_text((entry.path() / "uevent").string());
    std::istringstream lines(uevent);
    bool id_ok = false, uniq_ok = false;
    for (std::string line; std::getline(lines, line);) {
      if (line == want_id) id_ok = true;
      if (line == want_uniq) uniq_ok = true;
    }
    if (!id_ok || !uniq_ok) continue;
    std::error_code ec2;
    for (const auto& node : fs::directory_iterator(entry.path() / "hidraw", ec2)) {
      const std::string leaf = node.path().filename().string();
      if (leaf.rfind("hidraw", 0) == 0) return leaf;
    }
  }
  return std::nullopt;
}

}  // namespace vfido::host
