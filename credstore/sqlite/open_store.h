// Opens a store file of either kind, for programs that take a path and act on whatever is there
// (vfido serve --store, vfido creds).
#pragma once

#include <memory>
#include <string>

#include "credstore/sqlite/device_store.h"
#include "credstore/sqlite/vault_store.h"

namespace vfido::credstore::sqlite {

struct OpenedStore {
  std::unique_ptr<SqliteStore> store;   // owns the store
  SqliteDeviceStore* device = nullptr;  // set for a device store (which is also a StateStore)
  SqliteVault* vault = nullptr;         // set for a vault
};

// With options.create, a missing file is made with options.create->kind.
tl::expected<OpenedStore, OpenError> open_store(const std::string& path, const KeySource& key,
                                                const OpenOptions& options);

}  // namespace vfido::credstore::sqlite
