// The connections of a listening socket (the Unix transport's clients, the control socket's
// sessions), held as weak_ptrs (style.md §17: registries hold weak_ptrs): each connection keeps
// itself alive while its operations run and is forgotten once closed. Conn has open() and close().
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace vfido::transport::unix_socket {

template <typename Conn>
class ConnectionSet {
 public:
  void add(const std::shared_ptr<Conn>& conn) {
    prune();
    items_.push_back(conn);
  }
  // Connections still open.
  std::size_t count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const auto& weak) {
      auto c = weak.lock();
      return c && c->open();
    }));
  }
  // The open connections, copied: a call on one may close it (or another) without disturbing
  // the caller's loop.
  std::vector<std::shared_ptr<Conn>> open_connections() {
    prune();
    std::vector<std::shared_ptr<Conn>> out;
    for (const auto& weak : items_) {
      if (auto c = weak.lock()) out.push_back(std::move(c));
    }
    return out;
  }
  void close_all() {
    for (const auto& c : open_connections()) c->close();
    items_.clear();
  }

 private:
  void prune() {
    std::erase_if(items_, [](const auto& weak) {
      auto c = weak.lock();
      return !c || !c->open();
    });
  }

  std::vector<std::weak_ptr<Conn>> items_;
};

}  // namespace vfido::transport::unix_socket
