// base64url and base64 (RFC 4648 §10 test vectors), strict decoding.
#include <doctest/doctest.h>

#include "authenticator/base64.h"

using namespace vfido;
using vfido::Bytes;
using vfido::to_bytes;

TEST_CASE("base64: RFC 4648 §10 vectors in both alphabets") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  const char* std_[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CAPTURE(plain[i]);
    CHECK(base64url_encode(to_bytes(plain[i])) == url[i]);
    CHECK(base64_encode(to_bytes(plain[i])) == std_[i]);
    CHECK(base64url_decode(url[i]) == to_bytes(plain[i]));
    CHECK(base64_decode(std_[i]) == to_bytes(plain[i]));
    CHECK(base64_decode(url[i]) == to_bytes(plain[i]));  // padding may be left out
  }
}

TEST_CASE("base64: the url alphabet uses - and _") {
  const Bytes b = {0xfb, 0xff, 0xbf};
  CHECK(base64url_encode(b) == "-_-_");
  CHECK(base64_encode(b) == "+/+/");
  CHECK(base64url_decode("-_-_") == b);
  CHECK_FALSE(base64url_decode("+/+/"));
}

TEST_CASE("base64: strict decoding") {
  CHECK_FALSE(base64url_decode("Zg=="));  // WebAuthn base64url has no padding
  CHECK_FALSE(base64url_decode("Zh"));    // non-zero pad bits (RFC 4648 §3.5)
  CHECK_FALSE(base64url_decode("Z"));     // 6 bits cannot make a byte
  CHECK_FALSE(base64url_decode("Zm 9v"));
  CHECK_FALSE(base64_decode("Zg="));      // wrong padding
  CHECK_FALSE(base64_decode("Z==="));
}
