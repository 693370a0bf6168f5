// A private scratch directory (mkdtemp under $TMPDIR, else /tmp) removed with everything in it
// when the object goes away: sockets of in-process keys, vault files, extracted scenarios.
#pragma once

#include <string>

namespace vfido::host {

class ScratchDir {
 public:
  // `prefix` names the directory ("vfido-scenario" -> /tmp/vfido-scenario-XXXXXX). path() is
  // empty when it could not be made.
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vfido::host
