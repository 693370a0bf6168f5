#include "tools/host/large_blob_codec.h"

#include <zlib.h>

#include <climits>
#include <optional>

namespace vfido::host {
namespace {

// RFC 1951 raw DEFLATE: zlib's negative window bits; RFC 1950: the positive ones.
constexpr int kRawDeflate = -MAX_WBITS;
constexpr int kZlibWrapped = MAX_WBITS;

std::optional<Bytes> inflate_exactly(ByteSpan in, int window_bits, std::size_t size) {
  if (in.size() > UINT_MAX || size > UINT_MAX) return std::nullopt;
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return std::nullopt;
  Bytes out(size + 1);  // one spare byte: a blob longer than announced fills it
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int r = inflate(&zs, Z_FINISH);
  const std::size_t produced = out.size() - zs.avail_out;
  const bool whole = r == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  if (!whole || produced != size) return std::nullopt;
  out.resize(size);
  return out;
}

}  // namespace

tl::expected<LargeBlob, std::string> compress_large_blob(ByteSpan blob) {
  if (blob.size() > UINT_MAX / 2) return tl::unexpected(std::string("largeBlob is too large"));
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawDeflate, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return tl::unexpected(std::string("largeBlob: zlib deflateInit2 failed"));
  }
  Bytes out(deflateBound(&zs, static_cast<uLong>(blob.size())));
  zs.next_in = const_cast<Bytef*>(blob.data());
  zs.avail_in = static_cast<uInt>(blob.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int r = deflate(&zs, Z_FINISH);
  const std::size_t produced = out.size() - zs.avail_out;
  deflateEnd(&zs);
  if (r != Z_STREAM_END) return tl::unexpected(std::string("largeBlob: zlib deflate failed"));
  out.resize(produced);
  return LargeBlob{std::move(out), blob.size()};
}

tl::expected<Bytes, std::string> decompress_large_blob(const LargeBlob& blob, std::size_t max_size) {
  if (blob.orig_size > max_size) {
    return tl::unexpected("the stored blob claims " + std::to_string(blob.orig_size) + " bytes, more than " +
                          std::to_string(max_size));
  }
  const auto size = static_cast<std::size_t>(blob.orig_size);
  if (auto raw = inflate_exactly(blob.compressed, kRawDeflate, size)) return std::move(*raw);
  if (auto wrapped = inflate_exactly(blob.compressed, kZlibWrapped, size)) return std::move(*wrapped);
  return tl::unexpected(std::string("the stored blob does not inflate to its recorded size"));
}

}  // namespace vfido::host
