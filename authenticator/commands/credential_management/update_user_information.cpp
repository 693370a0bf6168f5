// updateUserInformation (0x07, CTAP 2.1 §6.8.6): replaces the user name, displayName (and icon)
// stored with a discoverable credential. Not part of the prototype command (credential_management.cpp).
#include "authenticator/commands/credential_management/subcommands.h"

namespace vfido::credman {
namespace {

// "If a field is not present in the passed-in user details, or it is present and empty, remove
// it from the matching credential's user entity"; otherwise it replaces the stored one.
std::optional<std::string> updated_field(const std::optional<std::string>& given) {
  if (!given || given->empty()) return std::nullopt;
  return given;
}

}  // namespace

Result<Response> update_user_information(Ctx& ctx, const Request& req) {
  // Steps 1-5 (credentialID and user are mandatory).
  auto bound = authorize_cm(ctx, req, req.credential_id.has_value() && req.user.has_value(), "updateUserInformation");
  if (!bound) return fail(bound.error());
  // Steps 6-7: the RP binding, then NO_CREDENTIALS for an unknown ID.
  auto cred = credential_for_update(ctx, req, *bound, "updateUserInformation");
  if (!cred) return fail(cred.error());
  // user.id must be the stored one: the command renames a user, it does not move a credential
  // to another user -> CTAP1_ERR_INVALID_PARAMETER.
  const UserEntity& given = *req.user;
  if (given.id != cred->user.id) {
    return ctx.reject(CtapStatus::kInvalidParameter, "updateUserInformation: user.id differs from the credential's");
  }
  UserEntity user{cred->user.id, updated_field(given.name), updated_field(given.display_name), updated_field(given.icon)};
  auto updated = ctx.env.store.update_user(cred->id, user);
  if (!updated) return ctx.reject(to_ctap_status(updated.error()), "updateUserInformation: store update failed");
  return Response{};
}

}  // namespace vfido::credman
