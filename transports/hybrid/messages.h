// What travels inside the caBLE v2 channel (hybrid-protocol.md §8.2-8.4, protocol revision 1):
// the phone's post-handshake message, then messages of the form type || payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authenticator/bytes.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/linking.h"

namespace vfido::cable {

// §8.2 message types.
enum class MessageType : std::uint8_t {
  kShutdown = 0,  // desktop -> phone, empty payload: the session ends
  kCtap = 1,      // request: command || CBOR; response: status || CBOR
  kUpdate = 2,    // CBOR map; key 1 = linking map
  kJson = 3,      // digital credentials (feature "dc"); not served by vfido
};

struct Message {
  MessageType type = MessageType::kCtap;
  Bytes payload;
};

Bytes frame_message(MessageType type, ByteSpan payload);
// kBadMessage for an empty plaintext or a type above 3.
CableResult<Message> parse_message(ByteSpan plaintext);

// §8.3 features.
inline constexpr std::string_view kFeatureCtap = "ctap";
inline constexpr std::string_view kFeatureDigitalCredentials = "dc";

// §8.3: the first encrypted message, phone -> desktop, not type-prefixed.
struct PostHandshakeMessage {
  std::optional<Bytes> get_info;                   // 1: getInfo response CBOR, no status byte
  std::optional<LinkingInfo> linking;              // 2: linking map (legacy place)
  std::optional<std::vector<std::string>> features;  // 3: sorted; absent means ["ctap"]

  bool supports(std::string_view feature) const;
};

// Canonical CBOR; kBadMessage when get_info is not a CBOR map.
CableResult<Bytes> encode_post_handshake(const PostHandshakeMessage& m);
// Revision 1 only: the plaintext must be exactly one canonical CBOR map (a revision-0 padded map
// is refused). getInfo must be a CBOR map; present without the "ctap" feature is an error (§8.3);
// features must be text strings. A linking map in key 2 is parsed but not verified here.
CableResult<PostHandshakeMessage> parse_post_handshake(ByteSpan plaintext);

// §8.4: the type-2 message (type byte included) carrying {0: zeros, 1: linking map}, or only
// {0: zeros} without linking data; the zeros make both the same size (512 bytes once padded).
Bytes encode_update_message(const LinkingInfo* linking);
// The payload of a type-2 message: the linking map in key 1 when present (not verified here).
CableResult<std::optional<LinkingInfo>> parse_update(ByteSpan payload);

// The largest getInfo, update or CTAP payload either side decodes.
inline constexpr std::size_t kMaxMessagePayload = 64 * 1024;

}  // namespace vfido::cable
