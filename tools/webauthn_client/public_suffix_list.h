// The Public Suffix List (publicsuffix.org) through libpsl, with Debian's `publicsuffix` data
// (/usr/share/publicsuffix/public_suffix_list.dafsa). The PSL algorithm applies the implicit
// "*" rule, so an unknown TLD or a single label such as "localhost" is its own public suffix,
// as the HTML Standard's "public suffix" and Chromium's INCLUDE_UNKNOWN_REGISTRIES have it; the
// private section (github.io, s3.amazonaws.com...) counts too.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

struct psl_ctx_st;

namespace vfido::webauthn {

// Where Debian's publicsuffix package puts the list (the DAFSA form libpsl reads fastest).
inline constexpr const char* kDebianPslFile = "/usr/share/publicsuffix/public_suffix_list.dafsa";

class PublicSuffixList {
 public:
  // Reads a list file (DAFSA or the plain .dat text); the error names the file.
  static tl::expected<PublicSuffixList, std::string> load(const std::string& path);
  // $VFIDO_PSL_FILE if set, else kDebianPslFile, else the list compiled into libpsl (if any).
  static tl::expected<PublicSuffixList, std::string> system();

  // HTML "public suffix" of a lower-case ASCII domain: "co.uk" for "www.example.co.uk".
  std::string public_suffix(std::string_view domain) const;
  // Whether `domain` is itself a public suffix ("com", "co.uk", "github.io", "localhost").
  bool is_public_suffix(std::string_view domain) const;
  // HTML "registrable domain" (eTLD+1): "example.co.uk" for "www.example.co.uk"; nullopt when
  // the domain is a public suffix.
  std::optional<std::string> registrable_domain(std::string_view domain) const;

  const std::string& source() const { return source_; }

 private:
  struct Free {
    void operator()(psl_ctx_st* p) const;
  };
  PublicSuffixList(std::shared_ptr<psl_ctx_st> ctx, std::string source) : ctx_(std::move(ctx)), source_(std::move(source)) {}
  std::shared_ptr<psl_ctx_st> ctx_;
  std::string source_;
};

}  // namespace vfido::webauthn
