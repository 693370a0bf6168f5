#include "tools/webauthn_client/related_origins.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace vfido::webauthn {

using Err = tl::unexpected<std::string>;

void MapFetcher::set_well_known(const std::string& rp_id, std::string body) {
  set(well_known_url(rp_id), FetchResponse{200, "application/json", std::move(body)});
}

tl::expected<FetchResponse, std::string> MapFetcher::fetch(const std::string& url) {
  auto it = responses_.find(url);
  if (it == responses_.end()) return Err("no route to " + url);
  return it->second;
}

tl::expected<FetchResponse, std::string> FileFetcher::fetch(const std::string& url) {
  for (const auto& [rp_id, path] : files_) {
    if (url != well_known_url(rp_id)) continue;
    std::ifstream in(path, std::ios::binary);
    if (!in) return Err("cannot read " + path + " (given for " + url + ")");
    std::ostringstream body;
    body << in.rdbuf();
    return FetchResponse{200, "application/json", body.str()};
  }
  return Err("no document given for " + url + " (offline: pass --well-known RPID=FILE)");
}

std::string well_known_url(std::string_view rp_id) { return "https://" + std::string(rp_id) + "/.well-known/webauthn"; }

std::optional<std::string> registrable_origin_label(std::string_view domain, const PublicSuffixList& psl) {
  auto reg = psl.registrable_domain(domain);
  if (!reg) return std::nullopt;
  return reg->substr(0, reg->find('.'));
}

tl::expected<void, std::string> validate_related_origins(const Origin& caller, std::string_view rp_id,
                                                         WellKnownFetcher& fetcher, const PublicSuffixList& psl,
                                                         std::size_t max_labels) {
  const std::string url = well_known_url(rp_id);
  // Step 2: fetch; step 2.1: a failed fetch, another content type or status than 200 fails.
  auto response = fetcher.fetch(url);
  if (!response) return Err("fetching " + url + " failed: " + response.error());
  if (response->status != 200) return Err(url + " answered HTTP " + std::to_string(response->status));
  const std::string mime = response->content_type.substr(0, response->content_type.find(';'));
  if (mime != "application/json") return Err(url + " is " + response->content_type + ", not application/json");
  // Steps 2.2-2.3: a JSON object whose "origins" is an array of strings.
  nlohmann::json doc = nlohmann::json::parse(response->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Err(url + " is not a JSON object");
  auto origins = doc.find("origins");
  if (origins == doc.end() || !origins->is_array()) return Err(url + " has no \"origins\" array");
  for (const auto& o : *origins) {
    if (!o.is_string()) return Err(url + ": \"origins\" holds a value that is not a string");
  }
  // Steps 3-4.
  std::set<std::string> labels_seen;
  bool hit_limit = false;
  for (const auto& item : *origins) {
    auto url_origin = parse_origin(item.get<std::string>());
    if (!url_origin || url_origin->opaque) continue;  // 4.1: unparsable
    const std::string domain = url_origin->effective_domain();
    if (domain.empty() || url_origin->is_ip_address()) continue;  // 4.2: no effective domain
    auto label = registrable_origin_label(domain, psl);
    if (!label || label->empty()) continue;  // 4.4
    if (labels_seen.size() >= max_labels && labels_seen.count(*label) == 0) {  // 4.5
      hit_limit = true;
      continue;
    }
    if (caller.same_origin(*url_origin)) return {};  // 4.6
    if (labels_seen.size() < max_labels) labels_seen.insert(*label);  // 4.7
  }
  std::string why = url + " does not list " + caller.serialize();
  if (hit_limit) why += " within its first " + std::to_string(max_labels) + " registrable origin labels";
  return Err(why);
}

}  // namespace vfido::webauthn
