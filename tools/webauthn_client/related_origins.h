// Related origin requests (WebAuthn L3 §5.11, §5.11.1 "related origins validation procedure"):
// an RP ID may be used from an origin that is not under it when
// https://<rpId>/.well-known/webauthn lists that origin, counting at most maxLabels distinct
// registrable origin labels (the first label of an origin's registrable domain: "example" for
// both example.co.uk and www.example.de).
//
// The document comes through a WellKnownFetcher so that tests and offline machines can supply it
// (an in-memory map, or files on disk); nothing here opens a network connection.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "tools/webauthn_client/origin.h"
#include "tools/webauthn_client/public_suffix_list.h"

namespace vfido::webauthn {

// What an HTTPS GET returned (after redirects).
struct FetchResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class WellKnownFetcher {
 public:
  virtual ~WellKnownFetcher() = default;
  // GET `url` without credentials or referrer; an error string when the fetch itself failed
  // (no such host, TLS failure...).
  virtual tl::expected<FetchResponse, std::string> fetch(const std::string& url) = 0;
};

// Answers from a map url -> response; any other URL fails as an unreachable host would.
class MapFetcher final : public WellKnownFetcher {
 public:
  void set(const std::string& url, FetchResponse response) { responses_[url] = std::move(response); }
  // Shorthand: https://<rp_id>/.well-known/webauthn answers 200 application/json `body`.
  void set_well_known(const std::string& rp_id, std::string body);
  tl::expected<FetchResponse, std::string> fetch(const std::string& url) override;

 private:
  std::map<std::string, FetchResponse> responses_;
};

// Answers https://<rpId>/.well-known/webauthn with the contents of a file chosen per RP ID
// (e.g. from `vfido webauthn --well-known login.microsoft.com=FILE`), served as
// application/json; other URLs fail.
class FileFetcher final : public WellKnownFetcher {
 public:
  void add(const std::string& rp_id, const std::string& path) { files_[rp_id] = path; }
  tl::expected<FetchResponse, std::string> fetch(const std::string& url) override;

 private:
  std::map<std::string, std::string> files_;
};

std::string well_known_url(std::string_view rp_id);

// WebAuthn L3 "registrable origin label" of a domain; nullopt when it has no registrable domain.
std::optional<std::string> registrable_origin_label(std::string_view domain, const PublicSuffixList& psl);

// §5.11.1: true when the document for `rp_id` lists `caller` within `max_labels` labels. An
// error (which the caller reports as SecurityError) says why not: the fetch failed, the status
// or content type is wrong, the JSON is malformed, or the origin is not listed (and whether the
// label limit cut the list short).
tl::expected<void, std::string> validate_related_origins(const Origin& caller, std::string_view rp_id,
                                                         WellKnownFetcher& fetcher, const PublicSuffixList& psl,
                                                         std::size_t max_labels);

}  // namespace vfido::webauthn
