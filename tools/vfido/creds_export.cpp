// `vfido creds export` and `vfido creds import`: a store's stored credentials as one JSON
// document, and back.
//
//   vfido creds export --store S (--passphrase-file F | --key-file F) [--include-private-keys] [-o FILE]
//   vfido creds import --store S (...) FILE
//
// The document: {"format": "vfido-credentials", "version": 1, "store": {"kind", "path"},
// "privateKeys": bool, "credentials": [record_json.h objects]}. Without
// --include-private-keys the credentials cannot be imported (they could not sign); with it the
// file holds the keys in the clear, so vfido warns and writes it with mode 0600. Import keeps
// each credential's ID and counter (a vault's counters stay 0); the target store's kind decides
// the backup flags.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "credstore/record_json.h"
#include "tools/host/store_options.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"

namespace vfido::cli {
namespace {

using json = nlohmann::json;

constexpr const char* kFormat = "vfido-credentials";
constexpr int kVersion = 1;

struct TransferOptions {
  host::StoreOptions store;
  bool include_private_keys = false;
  std::string file;
};

bool write_private(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ::close(fd) == 0 && ok;
  return ok;
}

int run_export(const TransferOptions& o) {
  auto opened = host::open_existing_store(o.store);
  if (!opened) {
    std::cerr << "vfido creds export: " << opened.error() << '\n';
    return 1;
  }
  auto& store = *opened->store;
  auto all = store.list_stored();
  if (!all) {
    std::cerr << "vfido creds export: " << store.last_error() << '\n';
    return 1;
  }
  json doc = {{"format", kFormat},
              {"version", kVersion},
              {"store", {{"kind", std::string(credstore::sqlite::store_kind_name(store.kind()))}, {"path", store.path()}}},
              {"privateKeys", o.include_private_keys},
              {"credentials", json::array()}};
  for (const auto& c : *all) doc["credentials"].push_back(credstore::record_to_json(c, o.include_private_keys));
  const std::string text = doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  if (o.include_private_keys) {
    std::cerr << "vfido creds export: WARNING: the export holds " << all->size()
              << " private key(s) in the clear: whoever reads it can sign in as these users. Keep it safe and "
                 "delete it when done.\n";
  }
  if (opened->device != nullptr) {
    std::cerr << "vfido creds export: note: non-discoverable credentials of a device store live in their IDs and "
                 "are not exported\n";
  }
  if (o.file.empty() || o.file == "-") {
    std::cout << text;
  } else if (!write_private(o.file, text)) {
    std::cerr << "vfido creds export: cannot write " << o.file << '\n';
    return 1;
  } else {
    std::cerr << "vfido creds export: " << all->size() << " credential(s) written to " << o.file << '\n';
  }
  return 0;
}

int run_import(const TransferOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    std::cerr << "vfido creds import: cannot read " << o.file << '\n';
    return 1;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  json doc = json::parse(buf.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    std::cerr << "vfido creds import: " << o.file << ": not a JSON object\n";
    return 1;
  }
  if (doc.value("format", "") != kFormat || !doc.contains("version") || doc["version"] != kVersion ||
      !doc.contains("credentials") || !doc["credentials"].is_array()) {
    std::cerr << "vfido creds import: " << o.file << ": not a vfido-credentials version 1 document\n";
    return 1;
  }
  // Check every credential before storing any.
  std::vector<CredentialRecord> records;
  std::size_t index = 0;
  for (const auto& j : doc["credentials"]) {
    auto rec = credstore::record_from_json(j);
    if (!rec) {
      std::cerr << "vfido creds import: " << o.file << ": credentials[" << index << "]: " << rec.error() << '\n';
      return 1;
    }
    records.push_back(std::move(*rec));
    ++index;
  }
  auto opened = host::open_existing_store(o.store);
  if (!opened) {
    std::cerr << "vfido creds import: " << opened.error() << '\n';
    return 1;
  }
  for (auto& rec : records) {
    if (auto r = opened->store->import(std::move(rec)); !r) {
      std::cerr << "vfido creds import: " << opened->store->last_error() << '\n';
      return 1;
    }
  }
  std::cout << "imported " << records.size() << " credential(s) into " << opened->store->path() << '\n';
  return 0;
}

}  // namespace

void add_creds_transfer(CLI::App* creds, int* exit_code) {
  const unsigned flags = static_cast<unsigned>(StoreFlag::kStore) | static_cast<unsigned>(StoreFlag::kKey);
  auto ex = std::make_shared<TransferOptions>();
  CLI::App* exp = creds->add_subcommand("export", "Write the stored credentials as JSON");
  add_store_flags(exp, ex->store, flags, true);
  exp->add_flag("--include-private-keys", ex->include_private_keys,
                "Include private keys (in the clear!) so that the export can be imported");
  exp->add_option("-o,--output", ex->file, "Write to this file (mode 0600) instead of stdout");
  exp->callback([ex, exit_code] { *exit_code = run_export(*ex); });

  auto im = std::make_shared<TransferOptions>();
  CLI::App* imp = creds->add_subcommand("import", "Store the credentials of an export made with --include-private-keys");
  add_store_flags(imp, im->store, flags, true);
  imp->add_option("file", im->file, "The JSON export")->required();
  imp->callback([im, exit_code] { *exit_code = run_import(*im); });
}

}  // namespace vfido::cli
