// Log port. The core reports every non-OK return and every command at debug level through it;
// it never writes to a stream itself. Secrets are never logged.
#pragma once

#include <string_view>

namespace vfido {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class Log {
 public:
  virtual ~Log() = default;
  virtual void write(LogLevel level, std::string_view message) = 0;
};

class NullLog final : public Log {
 public:
  void write(LogLevel, std::string_view) override {}
};

}  // namespace vfido
