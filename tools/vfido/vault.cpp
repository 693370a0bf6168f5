// `vfido vault`: synced passkey vaults, the files several virtual devices share.
//
//   vfido vault create NAME|PATH --provider NAME [--aaguid UUID] [--not-synced] [--capacity N]
//                      (--passphrase-file F | --key-file F)
//   vfido vault list [DIR]
//
// A NAME is a file in $XDG_DATA_HOME/vfido (NAME.db). --not-synced makes new credentials start
// with BS=0 ("not yet backed up"; `vfido creds set-backup-state` switches them). `list` reads
// each store's plaintext settings, so it needs no passphrase. Exit status: 0, 1 failure, 2 usage.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <vector>

#include "credstore/sqlite/vault_store.h"
#include "profiles/profile_json.h"
#include "tools/host/fido_objects.h"
#include "tools/host/store_options.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"

namespace vfido::cli {
namespace {

using credstore::sqlite::OpenErrorCode;
using credstore::sqlite::StoreFile;
using credstore::sqlite::StoreKind;

struct VaultOptions {
  host::StoreOptions store;  // store = the vault's NAME or PATH
  std::string provider;
  std::string aaguid;
  bool not_synced = false;
  std::uint64_t capacity = 0;
  std::string dir;
};

int run_create(const VaultOptions& o) {
  const std::string path = host::resolve_store_path(o.store.store);
  credstore::sqlite::NewStore spec;
  spec.kind = StoreKind::kVault;
  spec.capacity = o.capacity;
  spec.new_backup_state = !o.not_synced;
  spec.provider.name = o.provider;
  if (!o.aaguid.empty()) {
    auto aaguid = profiles::parse_uuid(o.aaguid);
    if (!aaguid) {
      std::cerr << "vfido vault create: --aaguid: " << aaguid.error() << '\n';
      return 2;
    }
    spec.provider.aaguid = *aaguid;
  }
  auto key = host::key_source(o.store, path, true);
  if (!key) {
    std::cerr << "vfido vault create: " << key.error() << '\n';
    return 2;
  }
  credstore::sqlite::OpenOptions open;
  open.create = spec;
  open.must_create = true;
  auto vault = credstore::sqlite::SqliteVault::open(path, *key, open);
  if (!vault) {
    std::cerr << "vfido vault create: " << vault.error().message << '\n';
    return 1;
  }
  std::cout << "created vault " << path << " for \"" << o.provider << "\" (AAGUID "
            << host::uuid_text(spec.provider.aaguid.data(), spec.provider.aaguid.size()) << ", new credentials "
            << (spec.new_backup_state ? "BS=1" : "BS=0") << ")\n";
  if (key->created()) std::cout << "made key file " << o.store.key_file << " (keep it: it opens the vault)\n";
  return 0;
}

int run_list(const VaultOptions& o) {
  const std::string dir = o.dir.empty() ? host::default_store_dir() : o.dir;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    std::cerr << "vfido vault list: cannot read " << dir << '\n';
    return 1;
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    auto ends = [&](const std::string& suffix) {
      return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (name.empty() || name[0] == '.' || ends("-wal") || ends("-shm") || ends("-journal") || ends(".lock")) continue;
    names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  int vaults = 0;
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    auto info = StoreFile::inspect(path);
    if (!info) {
      const auto code = info.error().code;
      if (code != OpenErrorCode::kNotSqlite && code != OpenErrorCode::kForeign && code != OpenErrorCode::kEmpty) {
        std::cerr << "vfido vault list: " << info.error().message << '\n';
      }
      continue;
    }
    if (info->kind != StoreKind::kVault) continue;
    ++vaults;
    std::cout << path << "  \"" << info->provider.name << "\"  AAGUID "
              << host::uuid_text(info->provider.aaguid.data(), info->provider.aaguid.size()) << "  "
              << info->credentials << " credential" << (info->credentials == 1 ? "" : "s") << "  ("
              << credstore::sqlite::key_kind_name(info->key_kind) << ")\n";
  }
  if (vaults == 0) std::cout << "no vaults in " << dir << '\n';
  return 0;
}

}  // namespace

void add_vault(CLI::App& app, int* exit_code) {
  CLI::App* vault = app.add_subcommand("vault", "Create and list synced passkey vaults");
  vault->require_subcommand(1);
  auto o = std::make_shared<VaultOptions>();

  CLI::App* create = vault->add_subcommand("create", "Create a synced vault file");
  create->add_option("vault", o->store.store, "NAME (in " + host::default_store_dir() + ") or PATH")->required();
  create->add_option("--provider", o->provider, "The passkey provider it stands for, e.g. \"Google Password Manager\"")
      ->required();
  create->add_option("--aaguid", o->aaguid, "The provider's AAGUID (default all zeros)");
  create->add_flag("--not-synced", o->not_synced, "New credentials start with BS=0 (not yet backed up)");
  create->add_option("--capacity", o->capacity, "Most discoverable credentials (0 = no limit)")->capture_default_str();
  add_store_flags(create, o->store, static_cast<unsigned>(StoreFlag::kKey), false);
  create->callback([o, exit_code] { *exit_code = run_create(*o); });

  CLI::App* list = vault->add_subcommand("list", "List the vaults in a directory (no passphrase needed)");
  list->add_option("dir", o->dir, "Directory (default " + host::default_store_dir() + ")");
  list->callback([o, exit_code] { *exit_code = run_list(*o); });
}

}  // namespace vfido::cli
