#include "tools/webauthn_client/public_suffix_list.h"

#include <libpsl.h>

#include <cstdlib>
#include <fstream>

namespace vfido::webauthn {

void PublicSuffixList::Free::operator()(psl_ctx_st* p) const { psl_free(p); }

tl::expected<PublicSuffixList, std::string> PublicSuffixList::load(const std::string& path) {
  if (!std::ifstream(path).good()) return tl::unexpected("cannot read the public suffix list " + path);
  psl_ctx_t* ctx = psl_load_file(path.c_str());
  if (ctx == nullptr) return tl::unexpected("libpsl cannot load the public suffix list " + path);
  return PublicSuffixList(std::shared_ptr<psl_ctx_st>(ctx, Free{}), path);
}

tl::expected<PublicSuffixList, std::string> PublicSuffixList::system() {
  if (const char* env = std::getenv("VFIDO_PSL_FILE"); env != nullptr && *env != '\0') return load(env);
  auto debian = load(kDebianPslFile);
  if (debian) return debian;
  // psl_builtin() is a static context owned by libpsl: never freed.
  if (const psl_ctx_t* builtin = psl_builtin(); builtin != nullptr) {
    return PublicSuffixList(std::shared_ptr<psl_ctx_st>(const_cast<psl_ctx_t*>(builtin), [](psl_ctx_st*) {}),
                            "libpsl built-in list");
  }
  return tl::unexpected(debian.error() + " (install Debian's publicsuffix package)");
}

std::string PublicSuffixList::public_suffix(std::string_view domain) const {
  const std::string d(domain);
  const char* suffix = psl_unregistrable_domain(ctx_.get(), d.c_str());
  return suffix != nullptr ? std::string(suffix) : d;
}

bool PublicSuffixList::is_public_suffix(std::string_view domain) const {
  const std::string d(domain);
  return psl_is_public_suffix(ctx_.get(), d.c_str()) != 0;
}

std::optional<std::string> PublicSuffixList::registrable_domain(std::string_view domain) const {
  const std::string d(domain);
  const char* reg = psl_registrable_domain(ctx_.get(), d.c_str());
  if (reg == nullptr) return std::nullopt;
  return std::string(reg);
}

}  // namespace vfido::webauthn
