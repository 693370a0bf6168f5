#include "authenticator/crypto/secret.h"

#include <openssl/crypto.h>

namespace vfido::crypto {

void cleanse(void* p, std::size_t n) {
  if (p != nullptr && n != 0) OPENSSL_cleanse(p, n);
}

}  // namespace vfido::crypto
