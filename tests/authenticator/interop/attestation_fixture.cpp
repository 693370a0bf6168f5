// Writes vfido-made certificates and attestation statements to a directory, for independent
// tools to check (check_openssl_cli.py: the openssl CLI; verify_attestation.py:
// python3-cryptography and python-fido2). Usage: attestation_fixture <output directory>.
//
// Files: root.pem, intermediate.pem, leaf.pem, chain.pem (leaf + intermediate),
// enterprise_leaf.pem, u2f_leaf.pem (U2F transports), expired_leaf.pem, other_root.pem,
// attestation.json (statements as hex, see write_json).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "authenticator/attestation.h"
#include "authenticator/cbor/codec.h"
#include "authenticator/crypto/x509.h"
#include "tests/authenticator/attestation_scenario.h"
#include "tests/authenticator/crypto/rsa_test_vector.h"

namespace {

using namespace vfido;
using test::expect_ok;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

struct NamedStatement {
  std::string name;
  AttestationStatement att;
  Bytes auth_data;
  Bytes client_data_hash;
};

std::string json_statement(const NamedStatement& s) {
  return "    {\"name\": \"" + s.name + "\", \"fmt\": \"" + s.att.fmt + "\", \"att_stmt\": \"" +
         to_hex(expect_ok(cbor::encode(s.att.att_stmt), "encode")) + "\", \"auth_data\": \"" + to_hex(s.auth_data) +
         "\", \"client_data_hash\": \"" + to_hex(s.client_data_hash) + "\"}";
}

int run(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::int64_t now = test::kTestNow;
  auto s = test::make_attestation_scenario(1, now);
  auto other = test::make_attestation_scenario(2, now);
  SeededRng rng(100);

  write_file(dir / "root.pem", s.ca.root.pem());
  write_file(dir / "intermediate.pem", s.ca.intermediate.pem());
  write_file(dir / "leaf.pem", s.material->certificate().pem());
  write_file(dir / "chain.pem", crypto::to_pem_chain(s.material->chain()));
  write_file(dir / "enterprise_leaf.pem", s.enterprise_material->certificate().pem());
  write_file(dir / "other_root.pem", other.ca.root.pem());

  auto spare_key = expect_ok(crypto::PrivateKey::generate(cose::kAlgEs256, rng), "key");
  crypto::AttestationCertificateSpec u2f = test::scenario_leaf_spec(now);
  u2f.u2f_transports = crypto::u2f_transport::kUsb | crypto::u2f_transport::kNfc;
  write_file(dir / "u2f_leaf.pem", expect_ok(crypto::make_attestation_certificate(u2f, spare_key, s.ca.intermediate,
                                                                                  s.ca.intermediate_key, rng),
                                             "u2f leaf")
                                       .pem());
  crypto::AttestationCertificateSpec expired = test::scenario_leaf_spec(now);
  expired.validity = {now - 30 * test::kDay, now - test::kDay};
  write_file(dir / "expired_leaf.pem", expect_ok(crypto::make_attestation_certificate(expired, spare_key,
                                                                                      s.ca.intermediate,
                                                                                      s.ca.intermediate_key, rng),
                                                 "expired leaf")
                                           .pem());

  std::vector<NamedStatement> statements;
  statements.push_back({"packed", expect_ok(make_packed_attestation(*s.material, s.auth_data, s.client_data_hash), "packed"),
                        s.auth_data, s.client_data_hash});
  statements.push_back({"packed-enterprise",
                        expect_ok(make_packed_attestation(*s.enterprise_material, s.auth_data, s.client_data_hash),
                                  "enterprise"),
                        s.auth_data, s.client_data_hash});
  // An RS256 attestation key under the same intermediate.
  auto rsa = expect_ok(crypto::PrivateKey::from_bytes(cose::kAlgRs256, expect_ok(from_hex(test::rsa_vector::kKeyDer), "hex"), {}),
                       "rsa key");
  auto rsa_cert = expect_ok(crypto::make_attestation_certificate(test::scenario_leaf_spec(now), rsa, s.ca.intermediate,
                                                                 s.ca.intermediate_key, rng),
                            "rsa leaf");
  auto rsa_material = expect_ok(AttestationMaterial::create(std::move(rsa), {rsa_cert, s.ca.intermediate}), "rsa material");
  statements.push_back({"packed-rs256", expect_ok(make_packed_attestation(rsa_material, s.auth_data, s.client_data_hash),
                                                  "packed rs256"),
                        s.auth_data, s.client_data_hash});
  // fido-u2f over the ES256 credential.
  ByteSpan rp_id_hash = ByteSpan(s.auth_data).first(32);
  statements.push_back({"fido-u2f",
                        expect_ok(make_fido_u2f_attestation(*s.material, rp_id_hash, s.client_data_hash, s.credential_id,
                                                            s.credential_key.public_bytes()),
                                  "fido-u2f"),
                        s.auth_data, s.client_data_hash});
  // Self attestation of an RS256 credential: the COSE key in authData and an RS256 signature.
  auto rs = test::make_attestation_scenario(3, now, cose::kAlgRs256);
  statements.push_back({"packed-self-rs256",
                        expect_ok(make_attestation(AttestationMode::kSelf, rs.credential_key, rs.auth_data,
                                                   rs.client_data_hash),
                                  "self rs256"),
                        rs.auth_data, rs.client_data_hash});

  Bytes message = to_bytes("vfido RS256 cross-check");
  Bytes rs_sig = expect_ok(rs.credential_key.sign(message), "rs256 sign");
  std::string json = "{\n  \"now\": " + std::to_string(now) + ",\n  \"rp_id\": \"" + s.rp_id + "\",\n  \"aaguid\": \"" +
                     to_hex(test::kTestAaguid) + "\",\n  \"enterprise_serial\": \"" +
                     to_hex(to_bytes(test::kScenarioEnterpriseSerial)) + "\",\n  \"firmware_version\": " +
                     std::to_string(*s.material->fido_extensions().firmware_version) + ",\n  \"rs256\": {\"cose_key\": \"" +
                     to_hex(expect_ok(cbor::encode(rs.credential_key.public_cose()), "cose")) + "\", \"message\": \"" +
                     to_hex(message) + "\", \"signature\": \"" + to_hex(rs_sig) + "\"},\n  \"statements\": [\n";
  for (std::size_t i = 0; i < statements.size(); ++i) {
    json += json_statement(statements[i]) + (i + 1 < statements.size() ? ",\n" : "\n");
  }
  json += "  ]\n}\n";
  write_file(dir / "attestation.json", json);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output directory>\n", argv[0]);
    return 2;
  }
  try {
    return run(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attestation_fixture: %s\n", e.what());
    return 1;
  }
}
