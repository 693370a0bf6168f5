// Compression of large, per-credential blobs (CTAP 2.1 §6.10.3: the blob is compressed with
// DEFLATE, RFC 1951, before it is encrypted), on zlib; the core stores blobs compressed
// (authenticator/large_blob_array.h) and has no DEFLATE of its own.
#pragma once

#include <cstddef>
#include <string>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/large_blob_array.h"

namespace vfido::host {

// Raw DEFLATE (RFC 1951), as the spec and libfido2 write it.
tl::expected<LargeBlob, std::string> compress_large_blob(ByteSpan blob);

// The blob back: raw DEFLATE, or the zlib wrapping (RFC 1950) some platforms write (python-fido2
// 0.9 does; libfido2 reads both the same way). The result must be exactly orig_size bytes, and
// orig_size at most `max_size`.
tl::expected<Bytes, std::string> decompress_large_blob(const LargeBlob& blob, std::size_t max_size);

}  // namespace vfido::host
