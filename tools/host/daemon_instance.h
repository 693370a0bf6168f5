// The bookkeeping of a running `vfido up`: a pid/lock file that makes a second daemon for the
// same key refuse to start, a state file that `vfido status` reads, and finding the key's
// /dev/hidrawN under /sys. Files live in one private directory (runtime_dir()):
//
//   <dir>/<instance>.pid    the daemon's pid; flock()ed exclusively while it runs
//   <dir>/<instance>.state  key=value lines (device name, VID:PID, serial, transports, start time)
//   <dir>/<instance>.ctl    the control socket (control_server.h), mode 0600
//
// The lock is the truth: a pid file nobody holds locked is stale (the daemon died) and is taken
// over; a locked one belongs to a live daemon, whatever its content.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace vfido::host {

// $XDG_RUNTIME_DIR/vfido; when XDG_RUNTIME_DIR is unset: /run/vfido for root, /tmp/vfido-<uid>
// for others.
std::string runtime_dir();

// Creates `dir` (mode 0700) if needed and checks that it is a real directory owned by this user
// and not writable by others. The error says what is wrong.
tl::expected<void, std::string> ensure_private_dir(const std::string& dir);

// <dir>/<name>.ctl: where the daemon of that instance listens for the control API.
std::string control_socket_path(const std::string& dir, const std::string& name);

// Instance names select the files: 1..64 of [A-Za-z0-9._-], not starting with '.'.
bool valid_instance_name(const std::string& name);

using StateFields = std::vector<std::pair<std::string, std::string>>;

// Held by the running daemon; releasing it (destructor) removes both files.
class InstanceLock {
 public:
  // Takes the lock for `name` in `dir` (which must exist) and writes this process's pid. When
  // another live process holds it, the error names its pid and how to stop it.
  static tl::expected<InstanceLock, std::string> acquire(const std::string& dir, const std::string& name);

  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&& other) noexcept;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  ~InstanceLock();

  // Replaces the state file (written to a temporary file, then renamed). Values may not contain
  // newlines; they are replaced by spaces.
  tl::expected<void, std::string> write_state(const StateFields& fields);
  void release();

  const std::string& pid_path() const { return pid_path_; }
  const std::string& state_path() const { return state_path_; }

 private:
  InstanceLock(int fd, std::string pid_path, std::string state_path)
      : fd_(fd), pid_path_(std::move(pid_path)), state_path_(std::move(state_path)) {}
  int fd_ = -1;
  std::string pid_path_;
  std::string state_path_;
};

struct InstanceStatus {
  bool running = false;
  pid_t pid = 0;                            // when running
  std::map<std::string, std::string> state;  // the state file, when running
};

// Looks without touching anything: a daemon holds the lock, or not.
InstanceStatus query_instance(const std::string& dir, const std::string& name);

// SIGTERM to the daemon, then waits until it has released its lock (the uhid device is gone by
// then) or `timeout_ms` passed. Returns false with no error when no daemon was running.
tl::expected<bool, std::string> stop_instance(const std::string& dir, const std::string& name, int timeout_ms);

// The hidraw node ("hidraw3") of the HID device with this bus/vendor/product and HID_UNIQ
// (serial), found under <sysfs_root>/bus/hid/devices/*/ (uevent HID_ID and HID_UNIQ, then the
// hidraw/ subdirectory). nullopt when there is none.
std::optional<std::string> find_hidraw(const std::string& sysfs_root, std::uint16_t vendor, std::uint16_t product,
                                       const std::string& serial);

}  // namespace vfido::host
