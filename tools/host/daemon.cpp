#include "tools/host/daemon.h"

#include <exception>
#include <utility>

namespace vfido::host {

Daemon::Daemon(boost::asio::io_context& io, DaemonOptions options) : io_(io) {
  keys_ = std::make_unique<KeyRegistry>(io, broker_, std::move(options.registry));
  control_path_ = options.info.control_path;
  options.info.prompt_available = options.prompt;
  api_ = std::make_unique<ControlApi>(*keys_, std::move(options.info));
}

tl::expected<std::unique_ptr<Daemon>, std::string> Daemon::create(boost::asio::io_context& io, DaemonOptions options,
                                                                   Log& log) {
  const bool prompt = options.prompt;
  const std::string prompt_path = options.prompt_path;
  std::unique_ptr<Daemon> d(new Daemon(io, std::move(options)));
  if (prompt) {
    auto opened = TerminalPrompt::open(io.get_executor(), d->broker_, log, prompt_path);
    if (!opened) return tl::unexpected(opened.error());
    d->prompt_ = std::move(*opened);
  }
  if (!d->control_path_.empty()) {
    ControlApi* api = d->api_.get();
    try {
      d->control_ = std::make_shared<ControlServer>(
          io.get_executor(), d->control_path_, [api](std::string_view line) { return api->handle_line(line); },
          [](std::string_view why) { return ControlApi::error_line(ApiErrorCode::kInvalidRequest, std::string(why)); },
          log);
    } catch (const std::exception& e) {
      return tl::unexpected("cannot open the control socket " + d->control_path_ + ": " + e.what());
    }
  }
  return d;
}

Daemon::~Daemon() {
  shutdown();
  // The registry goes before the broker (declared first): keys withdraw their requests.
  keys_.reset();
}

void Daemon::start() {
  keys_->start();
  if (prompt_) prompt_->start();
  if (control_) control_->start();
}

void Daemon::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  if (control_) control_->close();
  if (prompt_) prompt_->close();
  keys_->shutdown();
}

}  // namespace vfido::host
