// Errors are values: every fallible function in the core returns Result<T>, whose error is the
// CTAP status the spec prescribes (style.md §5). tl::expected stands in for std::expected,
// which g++ 12 lacks under -std=c++20; switching later changes this one alias.
#pragma once

#include <tl/expected.hpp>

#include "authenticator/ctap_constants.h"

namespace vfido {

template <typename T>
using Result = tl::expected<T, CtapStatus>;

// `return fail(CtapStatus::kInvalidCbor);` reads better than tl::make_unexpected at call sites.
inline tl::unexpected<CtapStatus> fail(CtapStatus status) { return tl::unexpected<CtapStatus>(status); }

// Evaluate a Result-returning expression; on error return that error from the enclosing
// function, otherwise yield nothing. Keeps the one-line check style of the spec's steps.
#define VFIDO_TRY(expr)                                   \
  do {                                                    \
    auto vfido_try_result_ = (expr);                      \
    if (!vfido_try_result_) {                             \
      return ::vfido::fail(vfido_try_result_.error());    \
    }                                                     \
  } while (false)

}  // namespace vfido
