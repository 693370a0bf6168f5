// The binary encoding of a CredentialRecord that the SQLite stores seal with AES-256-GCM: the
// plaintext of a stored row (form kRow) and of a stateless credential ID (form kStateless,
// the fields record_fields.h marks kInStateless). Fields come from record_fields.h, so adding a
// field there is the only edit.
//
// Layout (read and written with ByteReader/ByteWriter, style.md §8): a sequence of
//   key (u8) || length (u16be) || value
// in strictly increasing key order, nothing after the last one. Values: text and byte strings
// as their bytes; integers big-endian in 1..8 bytes (signed ones in two's complement); true as
// 0x01 (false, empty strings and absent optionals are left out); the user entity as a nested
// sequence. The encoding holds private keys, so it is returned as SecretBytes and built without
// reallocation (no stray copies left in freed memory).
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "authenticator/credential_store.h"
#include "credstore/record_fields.h"

namespace vfido::credstore {

enum class RecordForm : unsigned { kRow = kInRow, kStateless = kInStateless };

// Fails only when a value is longer than 65535 bytes.
tl::expected<crypto::SecretBytes, std::string> encode_record(const CredentialRecord& rec, RecordForm form);

// Strict: a field not in this form, a key out of order or repeated, a bad length or value, a
// missing required field, or trailing bytes are an error naming the problem. Fields the
// encoding leaves out keep their CredentialRecord defaults.
tl::expected<CredentialRecord, std::string> decode_record(ByteSpan encoded, RecordForm form);

}  // namespace vfido::credstore
