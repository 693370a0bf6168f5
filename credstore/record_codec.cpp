#include "credstore/record_codec.h"

#include <limits>
#include <optional>
#include <type_traits>

namespace vfido::credstore {
namespace {

constexpr std::size_t kHeaderLen = 3;  // key (u8) || length (u16be)
constexpr std::size_t kMaxValueLen = std::numeric_limits<std::uint16_t>::max();

using Error = tl::unexpected<std::string>;
Error bad(std::string why) { return Error("credential record: " + why); }

// ---- integers ---------------------------------------------------------------------------------

// Minimal big-endian two's complement length of a signed value.
std::size_t signed_len(std::int64_t v) {
  std::size_t n = 1;
  while (n < 8) {
    const std::int64_t lo = -(std::int64_t{1} << (8 * n - 1));
    const std::int64_t hi = (std::int64_t{1} << (8 * n - 1)) - 1;
    if (v >= lo && v <= hi) break;
    ++n;
  }
  return n;
}

std::size_t unsigned_len(std::uint64_t v) {
  std::size_t n = 1;
  while (n < 8 && (v >> (8 * n)) != 0) ++n;
  return n;
}

void put_be(ByteWriter& w, std::uint64_t v, std::size_t n) {
  for (std::size_t i = n; i > 0; --i) w.u8(static_cast<std::uint8_t>(v >> (8 * (i - 1))));
}

tl::expected<std::uint64_t, std::string> get_be(ByteSpan v) {
  if (v.empty() || v.size() > 8) return bad("an integer of " + std::to_string(v.size()) + " bytes");
  std::uint64_t out = 0;
  for (std::uint8_t b : v) out = (out << 8) | b;
  return out;
}

// ---- sizing and writing one value (the same overload set serves both passes) --------------

struct Sink {
  ByteWriter* w = nullptr;  // null: only count
  std::size_t size = 0;
  bool too_long = false;    // a value did not fit the u16 length

  void field(std::uint8_t key, std::size_t len, auto&& write_value) {
    if (len > kMaxValueLen) {
      too_long = true;
      return;
    }
    size += kHeaderLen + len;
    if (w == nullptr) return;
    w->u8(key).u16be(static_cast<std::uint16_t>(len));
    write_value(*w);
  }
};

std::size_t encoded_user_len(const UserEntity& u);
void write_user(ByteWriter& w, const UserEntity& u);

// Each put() adds one field to `s` unless the value is left out (see the header).
void put(Sink& s, std::uint8_t key, const std::string& v) {
  s.field(key, v.size(), [&](ByteWriter& w) { w.bytes(as_span(v)); });
}
void put(Sink& s, std::uint8_t key, const std::optional<std::string>& v) {
  if (v) put(s, key, *v);
}
void put(Sink& s, std::uint8_t key, const Bytes& v) {
  if (!v.empty()) s.field(key, v.size(), [&](ByteWriter& w) { w.bytes(v); });
}
void put(Sink& s, std::uint8_t key, const crypto::SecretBytes& v) {
  if (!v.empty()) s.field(key, v.size(), [&](ByteWriter& w) { w.bytes(v.expose()); });
}
void put(Sink& s, std::uint8_t key, bool v) {
  if (v) s.field(key, 1, [](ByteWriter& w) { w.u8(1); });
}
void put(Sink& s, std::uint8_t key, std::int64_t v) {
  const std::size_t n = signed_len(v);
  s.field(key, n, [&](ByteWriter& w) { put_be(w, static_cast<std::uint64_t>(v), n); });
}
template <typename U>
  requires(std::is_unsigned_v<U> && !std::is_same_v<U, bool>)
void put(Sink& s, std::uint8_t key, U v) {
  const std::size_t n = unsigned_len(v);
  s.field(key, n, [&](ByteWriter& w) { put_be(w, v, n); });
}
void put(Sink& s, std::uint8_t key, const UserEntity& u) {
  if (!u.id.empty()) s.field(key, encoded_user_len(u), [&](ByteWriter& w) { write_user(w, u); });
}

template <typename Visit, typename Obj>
void put_all(Sink& s, Obj& obj, unsigned form, Visit visit) {
  visit(obj, [&](const Field& f, const auto& member) {
    if (f.key != 0 && (f.places & form) != 0) put(s, f.key, member);
  });
}

constexpr auto kVisitUser = [](const UserEntity& u, auto&& v) { visit_user_fields(u, v); };
constexpr auto kVisitRecord = [](const CredentialRecord& r, auto&& v) { visit_record_fields(r, v); };

std::size_t encoded_user_len(const UserEntity& u) {
  Sink s;
  put_all(s, u, kInRow, kVisitUser);
  return s.size;
}
void write_user(ByteWriter& w, const UserEntity& u) {
  Sink s{&w};
  put_all(s, u, kInRow, kVisitUser);
}

// ---- reading one value ----------------------------------------------------------------------

tl::expected<void, std::string> take(ByteSpan v, std::string& out) {
  out.assign(v.begin(), v.end());
  return {};
}
tl::expected<void, std::string> take(ByteSpan v, std::optional<std::string>& out) {
  out.emplace(v.begin(), v.end());
  return {};
}
tl::expected<void, std::string> take(ByteSpan v, Bytes& out) {
  if (v.empty()) return bad("an empty byte string is left out, not encoded");
  out.assign(v.begin(), v.end());
  return {};
}
tl::expected<void, std::string> take(ByteSpan v, crypto::SecretBytes& out) {
  if (v.empty()) return bad("an empty secret is left out, not encoded");
  out = crypto::SecretBytes(v);
  return {};
}
tl::expected<void, std::string> take(ByteSpan v, bool& out) {
  if (v.size() != 1 || v[0] != 1) return bad("a boolean that is not 0x01");
  out = true;
  return {};
}
tl::expected<void, std::string> take(ByteSpan v, std::int64_t& out) {
  auto raw = get_be(v);
  if (!raw) return tl::unexpected(raw.error());
  // Sign-extend from v.size() bytes.
  const unsigned shift = static_cast<unsigned>(64 - 8 * v.size());
  out = static_cast<std::int64_t>(*raw << shift) >> shift;
  return {};
}
template <typename U>
  requires(std::is_unsigned_v<U> && !std::is_same_v<U, bool>)
tl::expected<void, std::string> take(ByteSpan v, U& out) {
  auto raw = get_be(v);
  if (!raw) return tl::unexpected(raw.error());
  if (*raw > std::numeric_limits<U>::max()) return bad("an integer out of range");
  out = static_cast<U>(*raw);
  return {};
}
tl::expected<void, std::string> take(ByteSpan v, UserEntity& out);

// Reads a key-ordered field sequence into `obj`, accepting the fields of `form`.
template <typename Obj, typename Visit>
tl::expected<void, std::string> take_all(ByteSpan bytes, Obj& obj, unsigned form, Visit visit) {
  ByteReader rd(bytes);
  unsigned last_key = 0;
  unsigned seen = 0;  // bit i: key i was present (keys are < 32)
  while (rd.remaining() > 0) {
    auto key = rd.u8();
    auto len = rd.u16be();
    if (!key || !len) return bad("a truncated field header");
    auto value = rd.take(*len);
    if (!value) return bad("field " + std::to_string(*key) + " runs past the end");
    if (*key == 0 || *key >= 32 || *key <= last_key) {
      return bad("field " + std::to_string(*key) + " is out of order, repeated or invalid");
    }
    last_key = *key;
    bool known = false;
    tl::expected<void, std::string> r;
    visit(obj, [&](const Field& f, auto& member) {
      if (f.key != *key || (f.places & form) == 0) return;
      known = true;
      r = take(*value, member);
    });
    if (!known) return bad("unknown field " + std::to_string(*key) + " (written by a newer vfido?)");
    if (!r) return r;
    seen |= 1u << *key;
  }
  std::string missing;
  visit(obj, [&](const Field& f, auto&) {
    if (f.key != 0 && (f.places & form) != 0 && (f.places & kRequired) != 0 && (seen & (1u << f.key)) == 0) {
      missing = std::string(f.name);
    }
  });
  if (!missing.empty()) return bad("required field " + missing + " is missing");
  return {};
}

constexpr auto kVisitUserMut = [](UserEntity& u, auto&& v) { visit_user_fields(u, v); };
constexpr auto kVisitRecordMut = [](CredentialRecord& r, auto&& v) { visit_record_fields(r, v); };

tl::expected<void, std::string> take(ByteSpan v, UserEntity& out) { return take_all(v, out, kInRow, kVisitUserMut); }

}  // namespace

tl::expected<crypto::SecretBytes, std::string> encode_record(const CredentialRecord& rec, RecordForm form) {
  const auto places = static_cast<unsigned>(form);
  Sink sizing;
  put_all(sizing, rec, places, kVisitRecord);
  if (sizing.too_long) return bad("a field is longer than 65535 bytes");
  ByteWriter w(sizing.size);  // exact: no reallocation leaves a copy of the keys behind
  Sink writing{&w};
  put_all(writing, rec, places, kVisitRecord);
  Bytes plain = std::move(w).take();
  crypto::SecretBytes out{ByteSpan(plain)};
  crypto::cleanse(plain.data(), plain.size());
  return out;
}

tl::expected<CredentialRecord, std::string> decode_record(ByteSpan encoded, RecordForm form) {
  CredentialRecord rec;
  auto r = take_all(encoded, rec, static_cast<unsigned>(form), kVisitRecordMut);
  if (!r) return tl::unexpected(r.error());
  return rec;
}

}  // namespace vfido::credstore
