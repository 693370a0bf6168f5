#include "credstore/sqlite/open_store.h"

namespace vfido::credstore::sqlite {

tl::expected<OpenedStore, OpenError> open_store(const std::string& path, const KeySource& key,
                                                const OpenOptions& options) {
  auto file = StoreFile::open(path, key, options);
  if (!file) return tl::unexpected(file.error());
  OpenedStore out;
  if ((*file)->kind() == StoreKind::kVault) {
    auto vault = SqliteVault::from_file(std::move(*file));
    if (!vault) return tl::unexpected(vault.error());
    out.vault = vault->get();
    out.store = std::move(*vault);
  } else {
    auto device = SqliteDeviceStore::from_file(std::move(*file));
    if (!device) return tl::unexpected(device.error());
    out.device = device->get();
    out.store = std::move(*device);
  }
  return out;
}

}  // namespace vfido::credstore::sqlite
