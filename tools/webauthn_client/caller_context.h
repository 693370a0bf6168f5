// Where a WebAuthn call comes from: the calling document's origin and, when it runs in a frame,
// the top-level page's origin (WebAuthn L3 §5.1.3 "sameOriginWithAncestors"; HTML "top-level
// origin"). One level of framing is modelled: the caller is either the top-level document or a
// frame directly inside it.
#pragma once

#include <optional>

#include "tools/webauthn_client/origin.h"

namespace vfido::webauthn {

struct CallerContext {
  Origin origin;                     // the calling document
  std::optional<Origin> top_origin;  // the top-level page, when the caller is a frame
  // HTML "transient activation": the user just clicked. A cross-origin frame needs it for
  // create() (§5.1.3 step 2).
  bool transient_activation = true;

  // §5.1.3: true unless the caller is a frame whose top-level page has another origin.
  bool same_origin_with_ancestors() const { return !top_origin || top_origin->same_origin(origin); }
  // The top-level page's origin (the caller's own when it is the top-level document).
  const Origin& top_level() const { return top_origin ? *top_origin : origin; }
};

}  // namespace vfido::webauthn
