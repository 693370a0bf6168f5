#include "authenticator/ctap_constants.h"

namespace vfido {

std::string_view status_name(CtapStatus status) {
  switch (status) {
    case CtapStatus::kOk: return "CTAP2_OK";
    case CtapStatus::kInvalidCommand: return "CTAP1_ERR_INVALID_COMMAND";
    case CtapStatus::kInvalidParameter: return "CTAP1_ERR_INVALID_PARAMETER";
    case CtapStatus::kInvalidLength: return "CTAP1_ERR_INVALID_LENGTH";
    case CtapStatus::kInvalidSeq: return "CTAP1_ERR_INVALID_SEQ";
    case CtapStatus::kTimeout: return "CTAP1_ERR_TIMEOUT";
    case CtapStatus::kChannelBusy: return "CTAP1_ERR_CHANNEL_BUSY";
    case CtapStatus::kLockRequired: return "CTAP1_ERR_LOCK_REQUIRED";
    case CtapStatus::kInvalidChannel: return "CTAP1_ERR_INVALID_CHANNEL";
    case CtapStatus::kCborUnexpectedType: return "CTAP2_ERR_CBOR_UNEXPECTED_TYPE";
    case CtapStatus::kInvalidCbor: return "CTAP2_ERR_INVALID_CBOR";
    case CtapStatus::kMissingParameter: return "CTAP2_ERR_MISSING_PARAMETER";
    case CtapStatus::kLimitExceeded: return "CTAP2_ERR_LIMIT_EXCEEDED";
    case CtapStatus::kFpDatabaseFull: return "CTAP2_ERR_FP_DATABASE_FULL";
    case CtapStatus::kLargeBlobStorageFull: return "CTAP2_ERR_LARGE_BLOB_STORAGE_FULL";
    case CtapStatus::kCredentialExcluded: return "CTAP2_ERR_CREDENTIAL_EXCLUDED";
    case CtapStatus::kProcessing: return "CTAP2_ERR_PROCESSING";
    case CtapStatus::kInvalidCredential: return "CTAP2_ERR_INVALID_CREDENTIAL";
    case CtapStatus::kUserActionPending: return "CTAP2_ERR_USER_ACTION_PENDING";
    case CtapStatus::kOperationPending: return "CTAP2_ERR_OPERATION_PENDING";
    case CtapStatus::kNoOperations: return "CTAP2_ERR_NO_OPERATIONS";
    case CtapStatus::kUnsupportedAlgorithm: return "CTAP2_ERR_UNSUPPORTED_ALGORITHM";
    case CtapStatus::kOperationDenied: return "CTAP2_ERR_OPERATION_DENIED";
    case CtapStatus::kKeyStoreFull: return "CTAP2_ERR_KEY_STORE_FULL";
    case CtapStatus::kUnsupportedOption: return "CTAP2_ERR_UNSUPPORTED_OPTION";
    case CtapStatus::kInvalidOption: return "CTAP2_ERR_INVALID_OPTION";
    case CtapStatus::kKeepaliveCancel: return "CTAP2_ERR_KEEPALIVE_CANCEL";
    case CtapStatus::kNoCredentials: return "CTAP2_ERR_NO_CREDENTIALS";
    case CtapStatus::kUserActionTimeout: return "CTAP2_ERR_USER_ACTION_TIMEOUT";
    case CtapStatus::kNotAllowed: return "CTAP2_ERR_NOT_ALLOWED";
    case CtapStatus::kPinInvalid: return "CTAP2_ERR_PIN_INVALID";
    case CtapStatus::kPinBlocked: return "CTAP2_ERR_PIN_BLOCKED";
    case CtapStatus::kPinAuthInvalid: return "CTAP2_ERR_PIN_AUTH_INVALID";
    case CtapStatus::kPinAuthBlocked: return "CTAP2_ERR_PIN_AUTH_BLOCKED";
    case CtapStatus::kPinNotSet: return "CTAP2_ERR_PIN_NOT_SET";
    case CtapStatus::kPuatRequired: return "CTAP2_ERR_PUAT_REQUIRED";
    case CtapStatus::kPinPolicyViolation: return "CTAP2_ERR_PIN_POLICY_VIOLATION";
    case CtapStatus::kRequestTooLarge: return "CTAP2_ERR_REQUEST_TOO_LARGE";
    case CtapStatus::kActionTimeout: return "CTAP2_ERR_ACTION_TIMEOUT";
    case CtapStatus::kUpRequired: return "CTAP2_ERR_UP_REQUIRED";
    case CtapStatus::kUvBlocked: return "CTAP2_ERR_UV_BLOCKED";
    case CtapStatus::kIntegrityFailure: return "CTAP2_ERR_INTEGRITY_FAILURE";
    case CtapStatus::kInvalidSubcommand: return "CTAP2_ERR_INVALID_SUBCOMMAND";
    case CtapStatus::kUvInvalid: return "CTAP2_ERR_UV_INVALID";
    case CtapStatus::kUnauthorizedPermission: return "CTAP2_ERR_UNAUTHORIZED_PERMISSION";
    case CtapStatus::kOther: return "CTAP1_ERR_OTHER";
  }
  return "CTAP2_ERR_UNKNOWN";
}

}  // namespace vfido
