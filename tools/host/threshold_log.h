// A Log for command-line tools: lines at or above a level go to stderr as
// "vfido: <level>: <message>" (warnings and errors always, info and debug with --verbose).
#pragma once

#include <iostream>
#include <mutex>
#include <string_view>

#include "authenticator/env/log.h"
#include "tools/host/command_log.h"

namespace vfido::host {

class ThresholdLog final : public Log {
 public:
  explicit ThresholdLog(LogLevel min) : min_(min) {}
  void write(LogLevel level, std::string_view message) override {
    if (level < min_) return;
    std::lock_guard lock(mu_);  // several io threads may share one (in-process demo)
    std::cerr << "vfido: " << log_level_name(level) << ": " << message << '\n';
  }

 private:
  LogLevel min_;
  std::mutex mu_;
};

}  // namespace vfido::host
