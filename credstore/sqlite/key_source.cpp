#include "credstore/sqlite/key_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "authenticator/crypto/hash.h"
#include "authenticator/env/rng.h"

namespace vfido::credstore::sqlite {
namespace {

constexpr std::size_t kMaxSecretFile = 4096;
constexpr std::string_view kKeyFileInfo = "vfido store key file v1";

using Error = tl::unexpected<std::string>;

std::string errno_text() { return std::strerror(errno); }

// Reads a small file whole into wiped memory.
tl::expected<crypto::SecretBytes, std::string> read_small_file(const std::string& path, const char* what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(std::string(what) + " " + path + ": " + errno_text());
  crypto::SecretBytes buf(kMaxSecretFile + 1);
  std::size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::read(fd, buf.expose_mut().data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string e = std::string(what) + " " + path + ": " + errno_text();
      ::close(fd);
      return Error(e);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got > kMaxSecretFile) return Error(std::string(what) + " " + path + " is larger than 4096 bytes");
  return crypto::SecretBytes(buf.expose().first(got));
}

int hex_digit(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 32 raw bytes, or 64 hex digits with an optional line ending.
tl::expected<crypto::SecretBytes, std::string> parse_key_file(const crypto::SecretBytes& raw, const std::string& path) {
  ByteSpan b = raw.expose();
  if (b.size() == kKeyFileLen) return crypto::SecretBytes(b);
  while (!b.empty() && (b.back() == '\n' || b.back() == '\r')) b = b.first(b.size() - 1);
  if (b.size() == 2 * kKeyFileLen) {
    crypto::SecretBytes key(kKeyFileLen);
    for (std::size_t i = 0; i < kKeyFileLen; ++i) {
      int hi = hex_digit(b[2 * i]);
      int lo = hex_digit(b[2 * i + 1]);
      if (hi < 0 || lo < 0) return Error("key file " + path + ": not 64 hex digits");
      key.expose_mut()[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return key;
  }
  return Error("key file " + path + ": expected 32 bytes or 64 hex digits, found " + std::to_string(raw.size()) +
               " bytes");
}

tl::expected<void, std::string> create_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error("cannot create key file " + path + ": " + errno_text());
  OpenSslRng rng;
  crypto::SecretBytes key(kKeyFileLen);
  rng.fill(key.expose_mut());
  std::string hex = to_hex(key.expose()) + "\n";
  bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  std::string err = ok ? "" : errno_text();
  crypto::cleanse(hex.data(), hex.size());
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Error("cannot write key file " + path + ": " + err);
  }
  return {};
}

}  // namespace

std::string_view key_kind_name(KeySource::Kind kind) {
  return kind == KeySource::Kind::kPassphrase ? "passphrase" : "key file";
}

tl::expected<KeySource, std::string> KeySource::from_passphrase_file(const std::string& path) {
  auto raw = read_small_file(path, "passphrase file");
  if (!raw) return Error(raw.error());
  ByteSpan b = raw->expose();
  std::size_t end = 0;
  while (end < b.size() && b[end] != '\n' && b[end] != '\r') ++end;
  if (end == 0) return Error("passphrase file " + path + ": the first line is empty");
  return KeySource(Kind::kPassphrase, crypto::SecretBytes(b.first(end)), "passphrase from " + path);
}

tl::expected<KeySource, std::string> KeySource::from_key_file(const std::string& path, bool create_if_missing) {
  bool created = false;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create_if_missing) return Error("key file " + path + ": " + errno_text());
    auto made = create_key_file(path);
    if (!made) return Error(made.error());
    created = true;
    if (::stat(path.c_str(), &st) != 0) return Error("key file " + path + ": " + errno_text());
  }
  if (!S_ISREG(st.st_mode)) return Error("key file " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error("key file " + path + " is accessible by others (mode " + mode + "); run chmod 600 on it");
  }
  auto raw = read_small_file(path, "key file");
  if (!raw) return Error(raw.error());
  auto key = parse_key_file(*raw, path);
  if (!key) return Error(key.error());
  KeySource k(Kind::kKeyFile, std::move(*key), "key file " + path);
  k.created_ = created;
  return k;
}

KeySource KeySource::passphrase(std::string_view passphrase) {
  return KeySource(Kind::kPassphrase, crypto::SecretBytes(as_span(passphrase)), "the given passphrase");
}

KeySource KeySource::key(ByteSpan key32) { return KeySource(Kind::kKeyFile, crypto::SecretBytes(key32), "the given key"); }

KeySource KeySource::clone() const {
  KeySource k(kind_, secret_.clone(), origin_);
  k.created_ = created_;
  return k;
}

tl::expected<crypto::SecretBytes, std::string> KeySource::derive_kek(ByteSpan salt,
                                                                      const crypto::ScryptParams& params) const {
  if (kind_ == Kind::kKeyFile) {
    if (secret_.size() != kKeyFileLen) return Error(origin_ + ": a key must be 32 bytes");
    // RFC 5869: the key file is already uniformly random; HKDF binds it to this store's salt.
    return crypto::hkdf_sha256(salt, secret_.expose(), as_span(kKeyFileInfo), 32);
  }
  if (!params.plausible()) return Error("implausible scrypt parameters");
  auto kek = crypto::scrypt(secret_.expose(), salt, params, 32);
  if (!kek) return Error("scrypt failed (out of memory?)");
  return std::move(*kek);
}

}  // namespace vfido::credstore::sqlite
