// RP ID validation (WebAuthn L3 §5.1.3 steps 7-8, §5.1.4.1 steps 7-8; HTML "is a registrable
// domain suffix of or is equal to"), per client profile:
//   browser         the caller's effective domain must be a valid domain and the RP ID equal to
//                   it or a registrable suffix of it; failing that, related origins (§5.11).
//   browser-legacy  the same without related origins.
//   extension       the RP ID must equal the top-level page's host or a registrable parent of it.
// Every profile requires a potentially trustworthy origin (https, or http://localhost): browsers
// do not expose navigator.credentials elsewhere, and extensions only answer on secure pages.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "tools/webauthn_client/caller_context.h"
#include "tools/webauthn_client/client_profile.h"
#include "tools/webauthn_client/dom_exception.h"
#include "tools/webauthn_client/public_suffix_list.h"
#include "tools/webauthn_client/related_origins.h"

namespace vfido::webauthn {

// HTML "is a registrable domain suffix of or is equal to": `host_suffix` against `host` (an
// origin's serialized host). The error says which rule failed ("com is a public suffix").
tl::expected<void, std::string> check_registrable_suffix(std::string_view host_suffix, const Origin& host,
                                                         const PublicSuffixList& psl);

// The origin the ceremony runs for under `profile`: the caller's, or (extension) the top-level
// page's. clientDataJSON.origin is its serialization.
const Origin& ceremony_origin(const ClientProfile& profile, const CallerContext& caller);

// Checks the caller and returns the RP ID to use: `requested` when it passes, the effective
// domain when no RP ID was given. `fetcher` may be null (related origins then fail). Errors:
// NotAllowedError for an opaque origin, SecurityError for everything else, each with the reason.
tl::expected<std::string, ClientError> determine_rp_id(const ClientProfile& profile, const CallerContext& caller,
                                                       const std::optional<std::string>& requested,
                                                       const PublicSuffixList& psl, WellKnownFetcher* fetcher);

}  // namespace vfido::webauthn
