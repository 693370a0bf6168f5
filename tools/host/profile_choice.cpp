#include "tools/host/profile_choice.h"

#include "profiles/registry.h"
#include "tools/host/attestation_files.h"
#include "tools/host/store_options.h"

namespace vfido::host {

tl::expected<profiles::Profile, std::string> load_profile(const ProfileChoice& choice, Rng& rng) {
  auto p = profiles::resolve(choice.profile);
  if (!p) return p;
  if (!choice.aaguid.empty()) {
    auto aaguid = profiles::parse_uuid(choice.aaguid);
    if (!aaguid) return tl::unexpected<std::string>("--aaguid: " + aaguid.error());
    p->model.aaguid = *aaguid;
  }
  if (!choice.attestation.empty()) {
    if (choice.attestation == "none") {
      p->model.attestation = AttestationMode::kNone;
    } else if (choice.attestation == "self") {
      p->model.attestation = AttestationMode::kSelf;
    } else if (choice.attestation == "packed") {
      p->model.attestation = AttestationMode::kBasic;
    } else {
      return tl::unexpected<std::string>("--attestation: \"" + choice.attestation + "\" is not none, self or packed");
    }
  }
  auto provided = provide_attestation(*p, choice.data_dir.empty() ? default_store_dir() : choice.data_dir, rng);
  if (!provided) return tl::unexpected<std::string>(provided.error());
  return p;
}

}  // namespace vfido::host
