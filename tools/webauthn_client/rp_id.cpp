#include "tools/webauthn_client/rp_id.h"

namespace vfido::webauthn {
namespace {

using Err = tl::unexpected<std::string>;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ClientError security_error(std::string message) { return ClientError{DomExceptionName::kSecurityError, std::move(message), {}}; }

}  // namespace

tl::expected<void, std::string> check_registrable_suffix(std::string_view host_suffix, const Origin& host,
                                                         const PublicSuffixList& psl) {
  // HTML steps 1-3: the suffix must be a non-empty host.
  if (host_suffix.empty()) return Err("the RP ID is empty");
  auto parsed = parse_origin("https://" + std::string(host_suffix));
  if (!parsed || parsed->host != host_suffix) return Err("RP ID \"" + std::string(host_suffix) + "\" is not a host");
  // Step 4: equal hosts always pass.
  if (host_suffix == host.host) return {};
  // Step 4.1: both must be domains (not IP addresses).
  if (parsed->host_kind != HostKind::kDomain || host.host_kind != HostKind::kDomain) {
    return Err("an IP address has no registrable suffixes");
  }
  // Step 4.2: the suffix, after a dot, ends the host.
  if (!ends_with(host.host, "." + std::string(host_suffix))) {
    return Err(std::string(host_suffix) + " is not " + host.host + " or a parent domain of it");
  }
  // Step 4.3: not a public suffix, and not inside the host's public suffix.
  if (psl.is_public_suffix(host_suffix)) return Err(std::string(host_suffix) + " is a public suffix");
  const std::string host_ps = psl.public_suffix(host.host);
  if (ends_with(host_ps, "." + std::string(host_suffix))) {
    return Err(std::string(host_suffix) + " lies inside " + host.host + "'s public suffix " + host_ps);
  }
  return {};
}

const Origin& ceremony_origin(const ClientProfile& profile, const CallerContext& caller) {
  return profile.origin_from_top_level ? caller.top_level() : caller.origin;
}

tl::expected<std::string, ClientError> determine_rp_id(const ClientProfile& profile, const CallerContext& caller,
                                                       const std::optional<std::string>& requested,
                                                       const PublicSuffixList& psl, WellKnownFetcher* fetcher) {
  const Origin& origin = ceremony_origin(profile, caller);
  // §5.1.3 step 7: an opaque origin.
  if (origin.opaque) {
    return tl::unexpected(ClientError{DomExceptionName::kNotAllowedError, "the caller's origin is opaque", {}});
  }
  // Secure Contexts: the API exists only in potentially trustworthy contexts (Chromium:
  // INVALID_PROTOCOL / INVALID_DOMAIN -> SecurityError).
  if (origin.scheme != "https" && origin.scheme != "http") {
    return tl::unexpected(security_error("origin " + origin.serialize() + " is not http(s)"));
  }
  if (!origin.potentially_trustworthy()) {
    return tl::unexpected(security_error("origin " + origin.serialize() +
                                         " is not a secure context (only https, or http on localhost)"));
  }
  // §5.1.3 step 8: the effective domain must be a valid domain (no IP addresses).
  const std::string effective = origin.effective_domain();
  if (origin.is_ip_address() || !is_valid_domain(effective)) {
    return tl::unexpected(security_error("the effective domain " + effective + " of origin " + origin.serialize() +
                                         " is not a valid domain" +
                                         (origin.is_ip_address() ? " (IP addresses cannot be RP IDs)" : "")));
  }
  // Step 9: no RP ID given -> the effective domain.
  if (!requested) return effective;
  auto suffix = check_registrable_suffix(*requested, origin, psl);
  if (suffix) return *requested;
  const std::string base = "RP ID " + *requested + " is not a registrable suffix of origin " + origin.serialize() +
                           " (" + suffix.error() + ")";
  if (!profile.related_origins) {
    return tl::unexpected(security_error(base + " and the " + profile.name + " client does not use related origins"));
  }
  // §5.11.1 related origins validation procedure.
  if (fetcher == nullptr) {
    return tl::unexpected(security_error(base + " and no related origins document can be fetched"));
  }
  auto related = validate_related_origins(origin, *requested, *fetcher, psl, profile.max_labels);
  if (!related) return tl::unexpected(security_error(base + " and no related origin allows it: " + related.error()));
  return *requested;
}

}  // namespace vfido::webauthn
