// `vfido metadata export`: an MDS3-style metadata statement for a profile, so that a relying
// party can be told to trust it (tools/host/metadata_statement.h).
//
//   vfido metadata export --profile ID|FILE [--aaguid UUID] [--attestation MODE] [--out FILE]
//
// For "packed" profiles the statement carries the root certificate of the profile's attestation
// CA — the one `vfido serve`/`up` sign under (made now if it does not exist yet).
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "authenticator/env/rng.h"
#include "tools/host/attestation_files.h"
#include "tools/host/metadata_statement.h"
#include "tools/host/store_options.h"
#include "tools/vfido/commands.h"

namespace vfido::cli {
namespace {

struct MetadataOptions {
  host::ProfileChoice profile;
  std::string out;
};

int export_metadata(const MetadataOptions& o) {
  OpenSslRng rng;
  auto p = host::load_profile(o.profile, rng);
  if (!p) {
    std::cerr << "vfido metadata export: " << p.error() << '\n';
    return 2;
  }
  std::optional<crypto::Certificate> root;
  if (p->model.attestation == AttestationMode::kBasic) {
    const std::string dir = o.profile.data_dir.empty() ? host::default_store_dir() : o.profile.data_dir;
    auto r = host::attestation_root(*p, dir, rng);
    if (!r) {
      std::cerr << "vfido metadata export: " << r.error() << '\n';
      return 1;
    }
    root = std::move(*r);
  }
  const std::string text = host::metadata_statement(*p, root).dump(2) + "\n";
  if (o.out.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream f(o.out, std::ios::binary | std::ios::trunc);
  if (!(f << text)) {
    std::cerr << "vfido metadata export: " << o.out << ": cannot be written\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_metadata(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("metadata", "Metadata statements (MDS3) for relying parties");
  cmd->require_subcommand(1);
  auto o = std::make_shared<MetadataOptions>();
  CLI::App* exp = cmd->add_subcommand("export", "Write a profile's MDS3-style metadata statement as JSON");
  add_profile_options(exp, o->profile);
  exp->add_option("--out", o->out, "Write to this file instead of stdout");
  exp->callback([o, exit_code] { *exit_code = export_metadata(*o); });
}

}  // namespace vfido::cli
