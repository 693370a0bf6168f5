// The daemon's pid/lock and state files, and the hidraw lookup on a fake /sys tree.
#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tools/host/daemon_instance.h"

namespace {

namespace fs = std::filesystem;
using namespace vfido::host;

class TempDir {
 public:
  TempDir() {
    std::string templ = fs::temp_directory_path().string() + "/vfido-instance-XXXXXX";
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string read_file(const std::string& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A child process that holds the lock of `name` in `dir` until it is killed. With
// `ignore_term` it survives SIGTERM. Returns its pid once the lock is taken.
pid_t locked_child(const std::string& dir, const std::string& name, bool ignore_term) {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(ready[0]);
    ::signal(SIGTERM, ignore_term ? SIG_IGN : SIG_DFL);  // not the test framework's crash handler
    auto lock = InstanceLock::acquire(dir, name);
    char ok = lock ? '1' : '0';
    if (::write(ready[1], &ok, 1) != 1) ::_exit(2);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char ok = 0;
  REQUIRE(::read(ready[0], &ok, 1) == 1);
  ::close(ready[0]);
  REQUIRE(ok == '1');
  return pid;
}

}  // namespace

TEST_CASE("daemon instance: runtime_dir follows XDG_RUNTIME_DIR") {
  const char* old = std::getenv("XDG_RUNTIME_DIR");
  std::string saved = old ? old : "";
  ::setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
  CHECK(runtime_dir() == "/run/user/4242/vfido");
  ::unsetenv("XDG_RUNTIME_DIR");
  CHECK(runtime_dir() == (::geteuid() == 0 ? "/run/vfido" : "/tmp/vfido-" + std::to_string(::geteuid())));
  if (old) ::setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
}

TEST_CASE("daemon instance: ensure_private_dir creates 0700 and refuses unsafe paths") {
  TempDir t;
  const std::string dir = t.path + "/vfido";
  REQUIRE(ensure_private_dir(dir));
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(ensure_private_dir(dir));  // exists already: fine

  write_file(t.path + "/file", "x");
  auto not_dir = ensure_private_dir(t.path + "/file");
  REQUIRE_FALSE(not_dir);
  CHECK(not_dir.error().find("not a directory") != std::string::npos);

  ::chmod(dir.c_str(), 0777);
  auto open_dir = ensure_private_dir(dir);
  REQUIRE_FALSE(open_dir);
  CHECK(open_dir.error().find("writable by other users") != std::string::npos);
}

TEST_CASE("daemon instance: instance names are plain file names") {
  CHECK(valid_instance_name("default"));
  CHECK(valid_instance_name("work-key_2.test"));
  CHECK_FALSE(valid_instance_name(""));
  CHECK_FALSE(valid_instance_name(".hidden"));
  CHECK_FALSE(valid_instance_name("a/b"));
  CHECK_FALSE(valid_instance_name("../x"));
  CHECK_FALSE(valid_instance_name("with space"));
  CHECK_FALSE(valid_instance_name(std::string(65, 'a')));
}

TEST_CASE("daemon instance: one lock per instance; state readable while held; files removed on release") {
  TempDir t;
  auto lock = InstanceLock::acquire(t.path, "default");
  REQUIRE(lock);
  CHECK(std::stoi(read_file(lock->pid_path())) == ::getpid());

  auto second = InstanceLock::acquire(t.path, "default");
  REQUIRE_FALSE(second);
  CHECK(second.error().find("already running (pid " + std::to_string(::getpid()) + ")") != std::string::npos);
  CHECK(second.error().find("vfido down") != std::string::npos);

  auto other = InstanceLock::acquire(t.path, "other");  // another key may run beside it
  CHECK(other);

  REQUIRE(lock->write_state({{"name", "vfido key"}, {"serial", "a\nb"}}));
  InstanceStatus s = query_instance(t.path, "default");
  CHECK(s.running);
  CHECK(s.pid == ::getpid());
  CHECK(s.state["name"] == "vfido key");
  CHECK(s.state["serial"] == "a b");

  const std::string pid_path = lock->pid_path(), state_path = lock->state_path();
  lock->release();
  CHECK_FALSE(fs::exists(pid_path));
  CHECK_FALSE(fs::exists(state_path));
  CHECK_FALSE(query_instance(t.path, "default").running);
  CHECK(InstanceLock::acquire(t.path, "default"));
}

TEST_CASE("daemon instance: a stale pid file (nobody holds the lock) is taken over") {
  TempDir t;
  write_file(t.path + "/default.pid", "999999\n");
  CHECK_FALSE(query_instance(t.path, "default").running);
  auto lock = InstanceLock::acquire(t.path, "default");
  REQUIRE(lock);
  CHECK(std::stoi(read_file(lock->pid_path())) == ::getpid());
}

TEST_CASE("daemon instance: stop_instance signals the holder and waits for the lock to go") {
  TempDir t;
  CHECK(stop_instance(t.path, "default", 1000) == false);  // nothing running

  pid_t child = locked_child(t.path, "default", false);
  InstanceStatus s = query_instance(t.path, "default");
  CHECK(s.running);
  CHECK(s.pid == child);
  auto stopped = stop_instance(t.path, "default", 5000);
  REQUIRE(stopped);
  CHECK(*stopped);
  int wstatus = 0;
  REQUIRE(::waitpid(child, &wstatus, 0) == child);
  CHECK(WIFSIGNALED(wstatus));
  CHECK(WTERMSIG(wstatus) == SIGTERM);
  CHECK_FALSE(query_instance(t.path, "default").running);
}

TEST_CASE("daemon instance: stop_instance gives up on a daemon that ignores SIGTERM") {
  TempDir t;
  pid_t child = locked_child(t.path, "stubborn", true);
  auto stopped = stop_instance(t.path, "stubborn", 200);
  REQUIRE_FALSE(stopped);
  CHECK(stopped.error().find("did not stop") != std::string::npos);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  CHECK_FALSE(query_instance(t.path, "stubborn").running);  // the kernel dropped the lock
}

TEST_CASE("daemon instance: find_hidraw matches HID_ID and HID_UNIQ in a /sys tree") {
  TempDir t;
  const fs::path devices = fs::path(t.path) / "bus/hid/devices";
  write_file(devices / "0003:1209:0001.0001/uevent",
             "DRIVER=hid-generic\nHID_ID=0003:00001209:00000001\nHID_NAME=vfido\nHID_UNIQ=other-serial\n");
  fs::create_directories(devices / "0003:1209:0001.0001/hidraw/hidraw0");
  write_file(devices / "0003:1209:0001.0002/uevent",
             "DRIVER=hid-generic\nHID_ID=0003:00001209:00000001\nHID_NAME=vfido\nHID_UNIQ=vfido-default\n");
  fs::create_directories(devices / "0003:1209:0001.0002/hidraw/hidraw3");
  write_file(devices / "0003:1050:0407.0003/uevent", "HID_ID=0003:00001050:00000407\nHID_UNIQ=vfido-default\n");
  fs::create_directories(devices / "0003:1050:0407.0003/hidraw/hidraw5");

  CHECK(find_hidraw(t.path, 0x1209, 0x0001, "vfido-default") == std::optional<std::string>("hidraw3"));
  CHECK(find_hidraw(t.path, 0x1050, 0x0407, "vfido-default") == std::optional<std::string>("hidraw5"));
  CHECK_FALSE(find_hidraw(t.path, 0x1209, 0x0001, "missing"));
  CHECK_FALSE(find_hidraw(t.path, 0x1209, 0x0002, "vfido-default"));
  CHECK_FALSE(find_hidraw(t.path + "/nowhere", 0x1209, 0x0001, "vfido-default"));
}
