// Opening the persistent stores a key runs on, shared by every command that runs a key (`vfido
// serve`, and `vfido up`) or works on a store (`vfido creds`, `vfido vault`): one set of options,
// one place that resolves names to files and picks the key source, so all of them behave alike.
//
//   --store NAME|PATH      a device store or a synced vault; a bare NAME means
//                          $XDG_DATA_HOME/vfido/NAME.db (~/.local/share/vfido/NAME.db)
//   --passphrase-file F    the store's passphrase is the first line of F
//   --key-file F           the store's key is in F (32 bytes, raw or hex; made when a new store
//                          is made and F does not exist)
//   --state NAME|PATH      for a key on a vault: a device store that keeps this key's own state
//                          (PIN, counters, settings); without it that state lasts one run
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "credstore/sqlite/open_store.h"
#include "tools/host/virtual_key.h"

namespace vfido::host {

struct StoreOptions {
  std::string store;
  std::string passphrase_file;
  std::string key_file;
  std::string state;
  // A missing --store file is made as a device store (a vault is made by `vfido vault create`).
  bool create_device_store = true;
};

// $XDG_DATA_HOME/vfido, or $HOME/.local/share/vfido (XDG Base Directory Specification).
std::string default_store_dir();
// A value without '/' names a store in default_store_dir() (".db" is added when it has no
// extension); anything else is a path.
std::string resolve_store_path(const std::string& name_or_path);

// The key source --passphrase-file / --key-file describe (exactly one). `store_path` is only
// used in the message when neither is given; a key file is made when `new_store` is true.
tl::expected<credstore::sqlite::KeySource, std::string> key_source(const StoreOptions& options,
                                                                   const std::string& store_path, bool new_store);

// The stores a key runs on.
struct KeyStorage {
  credstore::sqlite::OpenedStore credentials;
  std::unique_ptr<credstore::sqlite::SqliteDeviceStore> state_store;  // --state, for a vault
  std::string description;  // one line for the user: which file, which kind

  CredentialStore* store() { return credentials.store.get(); }
  // The StateStore: the device store itself, or --state for a vault; null when neither (the
  // key then keeps its state in memory).
  StateStore* state();
  // Sets options.store/state (call it after options.profile is chosen: a device store's
  // stateless IDs are sized to its maxCredentialIdLength); the KeyStorage must outlive the key.
  void attach(KeyOptions& options);
  // A note when the profile and the store disagree about backups (a synced profile on a
  // device store, say): the store decides the BE/BS flags. Empty when they agree.
  std::string profile_note(const AuthenticatorProfile& profile) const;
};

// Opens --store (and --state). Errors name the file and the problem.
tl::expected<KeyStorage, std::string> open_key_storage(const StoreOptions& options);

// Opens --store for the credential tools, without creating anything.
tl::expected<credstore::sqlite::OpenedStore, std::string> open_existing_store(const StoreOptions& options);

}  // namespace vfido::host
