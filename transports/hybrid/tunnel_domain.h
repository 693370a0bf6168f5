// Tunnel-server domains as the advert carries them (hybrid-protocol.md §5): a 16-bit number that
// is either an index into the list of assigned domains (< 256) or the input of a hash that
// generates a domain name (>= 256).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfido::cable {

// §5: the assigned domains, in index order (0 Google, 1 Apple).
inline constexpr std::array<std::string_view, 2> kAssignedDomains = {"cable.ua5v.com", "cable.auth.com"};
inline constexpr std::uint16_t kFirstHashedDomain = 256;

// The domain name for an encoded value; nullopt for the unassigned values 2..255.
std::optional<std::string> decode_domain(std::uint16_t encoded);

// §4.3: a desktop accepts a value when it is a hashed domain or an assigned index below the
// number of assigned domains it knows (and this implementation knows).
bool is_known_domain(std::uint16_t encoded, std::size_t assigned_known = kAssignedDomains.size());

// The inverse: an assigned domain's index, or the value >= 256 whose hash generates `name`
// (a search over all 65280 values, about 10 ms). nullopt when no value produces `name`.
std::optional<std::uint16_t> encode_domain(std::string_view name);

}  // namespace vfido::cable
