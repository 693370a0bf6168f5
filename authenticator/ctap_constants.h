// Every CTAP2 status byte, command byte, CTAPHID code and protocol limit vfido uses, each
// with the spec section that defines it. Nothing else in the tree spells these numbers.
// Spec: CTAP 2.1 PS §6 (commands), §8 (status codes), §11.2 (USB HID transport).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vfido {

// CTAP 2.1 §8.2 "Status codes". Values 0x00..0x0B double as CTAPHID_ERROR codes (§11.2.9.1.6).
enum class CtapStatus : std::uint8_t {
  kOk = 0x00,
  kInvalidCommand = 0x01,
  kInvalidParameter = 0x02,
  kInvalidLength = 0x03,
  kInvalidSeq = 0x04,
  kTimeout = 0x05,
  kChannelBusy = 0x06,
  kLockRequired = 0x0A,
  kInvalidChannel = 0x0B,
  kCborUnexpectedType = 0x11,
  kInvalidCbor = 0x12,
  kMissingParameter = 0x14,
  kLimitExceeded = 0x15,
  kFpDatabaseFull = 0x17,
  kLargeBlobStorageFull = 0x18,
  kCredentialExcluded = 0x19,
  kProcessing = 0x21,
  kInvalidCredential = 0x22,
  kUserActionPending = 0x23,
  kOperationPending = 0x24,
  kNoOperations = 0x25,
  kUnsupportedAlgorithm = 0x26,
  kOperationDenied = 0x27,
  kKeyStoreFull = 0x28,
  kUnsupportedOption = 0x2B,
  kInvalidOption = 0x2C,
  kKeepaliveCancel = 0x2D,
  kNoCredentials = 0x2E,
  kUserActionTimeout = 0x2F,
  kNotAllowed = 0x30,
  kPinInvalid = 0x31,
  kPinBlocked = 0x32,
  kPinAuthInvalid = 0x33,
  kPinAuthBlocked = 0x34,
  kPinNotSet = 0x35,
  kPuatRequired = 0x36,
  kPinPolicyViolation = 0x37,
  kRequestTooLarge = 0x39,
  kActionTimeout = 0x3A,
  kUpRequired = 0x3B,
  kUvBlocked = 0x3C,
  kIntegrityFailure = 0x3D,
  kInvalidSubcommand = 0x3E,
  kUvInvalid = 0x3F,
  kUnauthorizedPermission = 0x40,
  kOther = 0x7F,
};

// The spec's name for a status ("CTAP2_ERR_NO_CREDENTIALS"), for logs and error messages.
std::string_view status_name(CtapStatus status);

// CTAP 2.1 §6 "Authenticator API": command bytes carried in CTAPHID_CBOR.
enum class CtapCommand : std::uint8_t {
  kMakeCredential = 0x01,
  kGetAssertion = 0x02,
  kGetInfo = 0x04,
  kClientPin = 0x06,
  kReset = 0x07,
  kGetNextAssertion = 0x08,
  kBioEnrollment = 0x09,
  kCredentialManagement = 0x0A,
  kSelection = 0x0B,
  kLargeBlobs = 0x0C,
  kConfig = 0x0D,
  kBioEnrollmentPreview = 0x40,
  kCredentialManagementPreview = 0x41,
};

// CTAP 2.1 §6.4: default maxMsgSize when getInfo leaves it out.
inline constexpr std::size_t kDefaultMaxMsgSize = 1024;

// WebAuthn L3 §6.1 "Authenticator Data" and §6.5.1 "Attested Credential Data".
inline constexpr std::size_t kRpIdHashLen = 32;
inline constexpr std::size_t kAaguidLen = 16;
inline constexpr std::size_t kClientDataHashLen = 32;
inline constexpr std::size_t kMaxCredentialIdLen = 1023;  // credentialIdLength must be <= 1023
inline constexpr std::size_t kMaxUserIdLen = 64;          // WebAuthn §5.4.3 user handle 1..64 bytes

// WebAuthn §6.1 authenticator data flag bits.
namespace flags {
inline constexpr std::uint8_t kUp = 0x01;
inline constexpr std::uint8_t kUv = 0x04;
inline constexpr std::uint8_t kBe = 0x08;
inline constexpr std::uint8_t kBs = 0x10;
inline constexpr std::uint8_t kAt = 0x40;
inline constexpr std::uint8_t kEd = 0x80;
}  // namespace flags

// COSE algorithm and key identifiers (RFC 9053, IANA COSE registry).
namespace cose {
inline constexpr std::int64_t kAlgEs256 = -7;
inline constexpr std::int64_t kAlgEdDsa = -8;
inline constexpr std::int64_t kAlgEcdhEsHkdf256 = -25;
inline constexpr std::int64_t kAlgRs256 = -257;
inline constexpr std::int64_t kKtyOkp = 1;
inline constexpr std::int64_t kKtyEc2 = 2;
inline constexpr std::int64_t kKtyRsa = 3;
inline constexpr std::int64_t kCrvP256 = 1;
inline constexpr std::int64_t kCrvEd25519 = 6;
// Map labels of COSE_Key (RFC 9052 §7.1, RFC 9053 §7.1).
inline constexpr std::int64_t kLabelKty = 1;
inline constexpr std::int64_t kLabelAlg = 3;
inline constexpr std::int64_t kLabelCrv = -1;
inline constexpr std::int64_t kLabelX = -2;
inline constexpr std::int64_t kLabelY = -3;
}  // namespace cose

// CTAP 2.1 §11.2 "USB Human Interface Device (USB HID)".
namespace ctaphid {
inline constexpr std::size_t kReportLen = 64;                     // §11.2.4 HID_RPT_SIZE
inline constexpr std::size_t kInitDataLen = kReportLen - 7;       // §11.2.4 init packet: 57
inline constexpr std::size_t kContDataLen = kReportLen - 5;       // §11.2.4 cont packet: 59
inline constexpr std::size_t kMaxSeq = 0x7F;                      // §11.2.4 SEQ 0..0x7F
inline constexpr std::size_t kMaxMessageLen = kInitDataLen + (kMaxSeq + 1) * kContDataLen;  // 7609
inline constexpr std::uint32_t kBroadcastCid = 0xFFFFFFFF;        // §11.2.3
inline constexpr std::uint32_t kReservedCid = 0x00000000;         // §11.2.3
inline constexpr std::uint8_t kInitBit = 0x80;                    // §11.2.4 TYPE_INIT

// §11.2.9 command codes (without the init bit).
enum class Command : std::uint8_t {
  kPing = 0x01,
  kMsg = 0x03,
  kLock = 0x04,
  kInit = 0x06,
  kWink = 0x08,
  kCbor = 0x10,
  kCancel = 0x11,
  kKeepalive = 0x3B,
  kError = 0x3F,
};
inline constexpr std::uint8_t kVendorFirst = 0x40;  // §11.2.9.2 vendor commands 0x40..0x7F
inline constexpr std::uint8_t kVendorLast = 0x7F;

// §11.2.9.1.6 CTAPHID_ERROR payloads.
enum class Error : std::uint8_t {
  kInvalidCmd = 0x01,
  kInvalidPar = 0x02,
  kInvalidLen = 0x03,
  kInvalidSeq = 0x04,
  kMsgTimeout = 0x05,
  kChannelBusy = 0x06,
  kLockRequired = 0x0A,
  kInvalidChannel = 0x0B,
  kOther = 0x7F,
};

// §11.2.9.1.3 CTAPHID_INIT response: protocol version and capability flags.
inline constexpr std::uint8_t kProtocolVersion = 2;
inline constexpr std::uint8_t kCapWink = 0x01;
inline constexpr std::uint8_t kCapCbor = 0x04;
inline constexpr std::uint8_t kCapNmsg = 0x08;
inline constexpr std::size_t kInitNonceLen = 8;
inline constexpr std::size_t kInitResponseLen = 17;

// §11.2.9.2.1 CTAPHID_KEEPALIVE status bytes.
inline constexpr std::uint8_t kKeepaliveProcessing = 0x01;
inline constexpr std::uint8_t kKeepaliveUpNeeded = 0x02;

// §11.2.9.1.4 CTAPHID_LOCK: at most 10 seconds.
inline constexpr std::uint8_t kMaxLockSeconds = 10;
}  // namespace ctaphid

}  // namespace vfido
