// The record encodings: the sealed binary form (every field round-trips, the decoder is strict),
// the stateless form (only what the ID needs), base64url and the export JSON.
#include <doctest/doctest.h>

#include "authenticator/base64.h"
#include "credstore/record_codec.h"
#include "credstore/record_json.h"
#include "tests/credstore/store_test_support.h"

using namespace vfido;
using namespace vfido::credstore;
using vfido::test::record;

namespace {

CredentialRecord full_record() {
  SeededRng rng(1);
  CredentialRecord r = record("example.com", {1, 2, 3}, true, rng);
  r.id = Bytes(32, 0x1D);
  r.user.icon = "icon";
  r.alg = -8;
  r.cred_protect = 3;
  r.sign_count = 41;
  r.created_seq = 7;
  r.backup_eligible = true;
  r.backup_state = true;
  r.hmac_secret = true;
  r.cred_blob = Bytes{0xC0, 0xFF, 0xEE};
  r.large_blob_key = crypto::SecretBytes(Bytes(32, 0x1B));
  return r;
}

void check_same(const CredentialRecord& a, const CredentialRecord& b) {
  CHECK(a.rp_id == b.rp_id);
  CHECK(a.rp_name == b.rp_name);
  CHECK(a.user == b.user);
  CHECK(a.alg == b.alg);
  CHECK(to_hex(a.private_key.expose()) == to_hex(b.private_key.expose()));
  CHECK(a.public_key == b.public_key);
  CHECK(a.discoverable == b.discoverable);
  CHECK(a.cred_protect == b.cred_protect);
  CHECK(a.backup_eligible == b.backup_eligible);
  CHECK(a.backup_state == b.backup_state);
  CHECK(a.hmac_secret == b.hmac_secret);
  CHECK(a.cred_blob == b.cred_blob);
  CHECK(to_hex(a.large_blob_key.expose()) == to_hex(b.large_blob_key.expose()));
}

Bytes encoded(const CredentialRecord& r, RecordForm form) {
  auto e = encode_record(r, form);
  REQUIRE(e.has_value());
  return Bytes(e->expose().begin(), e->expose().end());
}

}  // namespace

TEST_CASE("record_codec: every sealed field round-trips; columns are not inside") {
  const CredentialRecord r = full_record();
  auto back = decode_record(encoded(r, RecordForm::kRow), RecordForm::kRow);
  REQUIRE_MESSAGE(back.has_value(), (back ? "" : back.error()));
  check_same(r, *back);
  CHECK(back->id.empty());       // the row's ID column
  CHECK(back->sign_count == 0);  // the row's counter column
  CHECK(back->created_seq == 0); // the row's seq column
}

TEST_CASE("record_codec: the stateless form holds only what the ID must carry") {
  const CredentialRecord r = full_record();
  const Bytes e = encoded(r, RecordForm::kStateless);
  auto back = decode_record(e, RecordForm::kStateless);
  REQUIRE(back.has_value());
  CHECK(back->rp_id.empty());
  CHECK(back->user.id.empty());
  CHECK(back->public_key.empty());
  CHECK_FALSE(back->backup_eligible);
  CHECK(back->alg == -8);
  CHECK(back->cred_protect == 3);
  CHECK(back->hmac_secret);
  CHECK(back->cred_blob == r.cred_blob);
  CHECK(to_hex(back->private_key.expose()) == to_hex(r.private_key.expose()));
  // A row-only field is not accepted in the stateless form, and the reverse holds for nothing.
  CHECK(decode_record(encoded(r, RecordForm::kRow), RecordForm::kStateless).error().find("unknown field 1") !=
        std::string::npos);
}

TEST_CASE("record_codec: compact integers, signed and unsigned") {
  CredentialRecord r;
  r.rp_id = "x";
  r.private_key = crypto::SecretBytes(Bytes{1});
  for (std::int64_t alg : {std::int64_t{-7}, std::int64_t{-8}, std::int64_t{-257}, std::int64_t{0}, std::int64_t{127},
                           std::int64_t{128}, std::int64_t{-129}, INT64_MIN, INT64_MAX}) {
    CAPTURE(alg);
    r.alg = alg;
    auto back = decode_record(encoded(r, RecordForm::kRow), RecordForm::kRow);
    REQUIRE(back.has_value());
    CHECK(back->alg == alg);
  }
  // ES256 (-7) takes one byte: key 4, length 1, 0xF9.
  r.alg = -7;
  const Bytes e = encoded(r, RecordForm::kStateless);
  CHECK(to_hex(e) == "0400"
                     "01f9"
                     "05000101"
                     "08000101");
}

TEST_CASE("record_codec: the decoder is strict and names the problem") {
  auto err = [](const std::string& hex) {
    auto b = from_hex(hex);
    REQUIRE(b.has_value());
    auto r = decode_record(*b, RecordForm::kStateless);
    REQUIRE_FALSE(r.has_value());
    return r.error();
  };
  // alg -7, key 0x01: a valid stateless record.
  CHECK(decode_record(*from_hex("0400 01f9 0500 0101"), RecordForm::kStateless).has_value());
  CHECK(err("0500 0101 0400 01f9").find("out of order") != std::string::npos);
  CHECK(err("0400 01f9 0400 01f9 0500 0101").find("out of order") != std::string::npos);
  CHECK(err("0400 01f9").find("required field privateKey is missing") != std::string::npos);
  CHECK(err("0400 01f9 0500 0101 1f00 0100").find("unknown field 31") != std::string::npos);
  CHECK(err("0400 01f9 0500 0201").find("runs past the end") != std::string::npos);
  CHECK(err("0400 01f9 0500").find("truncated field header") != std::string::npos);
  CHECK(err("0400 01f9 0500 0101 0b00 0100").find("boolean") != std::string::npos);  // false is left out
  CHECK(err("0400 09 000000000000000000 0500 0101").find("integer of 9 bytes") != std::string::npos);
  CHECK(err("0400 01f9 0500 0101 0800 020100").find("out of range") != std::string::npos);  // credProtect 256
}

TEST_CASE("base64url: RFC 4648 §10 vectors in the URL alphabet, strict decoding") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : vectors) {
    CHECK(base64url_encode(as_span(plain)) == enc);
    CHECK(base64url_decode(enc) == to_bytes(plain));
  }
  CHECK(base64url_encode(Bytes{0xFB, 0xFF}) == "-_8");
  CHECK(base64url_decode("-_8") == Bytes{0xFB, 0xFF});
  CHECK_FALSE(base64url_decode("Zg==").has_value());  // no padding
  CHECK_FALSE(base64url_decode("Z").has_value());     // impossible length
  CHECK_FALSE(base64url_decode("Zh").has_value());    // non-zero trailing bits
  CHECK_FALSE(base64url_decode("Zm+v").has_value());  // the standard alphabet
}

TEST_CASE("record_json: round trip with and without private keys; strict import") {
  const CredentialRecord r = full_record();
  auto with = record_to_json(r, true);
  CHECK(with["rpId"] == "example.com");
  CHECK(with["id"] == base64url_encode(r.id));
  CHECK(with["user"]["id"] == "AQID");
  CHECK(with["signCount"] == 41);
  CHECK(with["createdSeq"] == 7);
  auto back = record_from_json(with);
  REQUIRE_MESSAGE(back.has_value(), (back ? "" : back.error()));
  check_same(r, *back);
  CHECK(back->id == r.id);
  CHECK(back->sign_count == 41);
  CHECK(back->created_seq == 0);  // exported for information; the importing store assigns it

  auto without = record_to_json(r, false);
  CHECK_FALSE(without.contains("privateKey"));
  CHECK_FALSE(without.contains("largeBlobKey"));
  CHECK(record_from_json(without).error().find("no privateKey (was it exported without") != std::string::npos);

  auto extra = with;
  extra["surprise"] = 1;
  CHECK(record_from_json(extra).error() == "credential: unknown member \"surprise\"");
  auto bad_b64 = with;
  bad_b64["publicKey"] = "not base64!";
  CHECK(record_from_json(bad_b64).error() == "credential.publicKey: not valid base64url");
  auto bad_type = with;
  bad_type["credProtect"] = 300;
  CHECK(record_from_json(bad_type).error().find("credential.credProtect: expected an unsigned integer up to 255") == 0);
  auto bad_user = with;
  bad_user["user"]["nick"] = "x";
  CHECK(record_from_json(bad_user).error() == "credential.user: unknown member \"nick\"");
}
