// Two MessagePipes joined back to back in one process, on one executor: what one writes the
// other reads. For tests of the sessions without sockets, and for fault injection (drop,
// duplicate, reorder or alter messages on the way) through an optional filter.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "transports/hybrid/message_pipe.h"

namespace vfido::cable {

// Called with each message on its way from one end to the other; returns the messages to
// deliver instead (none drops it, two duplicates it...). `from_first` tells the direction.
using PipeFilter = std::function<std::vector<Bytes>(bool from_first, Bytes message)>;

std::pair<std::shared_ptr<MessagePipe>, std::shared_ptr<MessagePipe>> make_memory_pipe_pair(
    const boost::asio::any_io_executor& ex, PipeFilter filter = {}, std::size_t max_message = 64 * 1024);

}  // namespace vfido::cable
