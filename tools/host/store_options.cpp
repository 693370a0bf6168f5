#include "tools/host/store_options.h"

#include <sys/stat.h>

#include <cstdlib>

namespace vfido::host {
namespace {

using credstore::sqlite::KeySource;
using credstore::sqlite::NewStore;
using credstore::sqlite::OpenOptions;
using credstore::sqlite::StoreKind;

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

std::string default_store_dir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  // XDG Base Directory Specification: a relative $XDG_DATA_HOME is invalid and ignored.
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/vfido";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && home[0] != '\0' ? home : ".") + "/.local/share/vfido";
}

std::string resolve_store_path(const std::string& name_or_path) {
  if (name_or_path.empty() || name_or_path.find('/') != std::string::npos) return name_or_path;
  std::string name = name_or_path;
  if (name.find('.') == std::string::npos) name += ".db";
  return default_store_dir() + "/" + name;
}

tl::expected<KeySource, std::string> key_source(const StoreOptions& options, const std::string& store_path,
                                                bool new_store) {
  if (!options.passphrase_file.empty() && !options.key_file.empty()) {
    return tl::unexpected(std::string("give either --passphrase-file or --key-file, not both"));
  }
  if (!options.passphrase_file.empty()) return KeySource::from_passphrase_file(options.passphrase_file);
  if (!options.key_file.empty()) return KeySource::from_key_file(options.key_file, new_store);
  return tl::unexpected(store_path + ": the store's keys are encrypted; give --passphrase-file FILE or --key-file FILE");
}

StateStore* KeyStorage::state() {
  if (credentials.device != nullptr) return credentials.device;
  return state_store.get();
}

void KeyStorage::attach(KeyOptions& options) {
  options.store = store();
  options.state = state();
  // Stateless IDs must fit the profile's maxCredentialIdLength (getInfo 0x08).
  if (credentials.device != nullptr) {
    credentials.device->set_max_credential_id_length(options.profile.max_credential_id_length);
  }
}

std::string KeyStorage::profile_note(const AuthenticatorProfile& profile) const {
  const bool vault = credentials.vault != nullptr;
  if (profile.backup_eligible == vault) return {};
  return vault ? "profile \"" + profile.name +
                     "\" is device-bound, but the store is a synced vault: credentials will be backup eligible (BE=1)"
               : "profile \"" + profile.name +
                     "\" is a synced one, but the store is a device store: credentials will be device-bound (BE=0)";
}

tl::expected<KeyStorage, std::string> open_key_storage(const StoreOptions& options) {
  const std::string path = resolve_store_path(options.store);
  if (path.empty()) return tl::unexpected(std::string("no --store given"));
  const bool new_store = !exists(path);
  if (new_store && !options.create_device_store) return tl::unexpected(path + ": no such store");
  auto key = key_source(options, path, new_store);
  if (!key) return tl::unexpected(key.error());

  OpenOptions open;
  if (options.create_device_store) open.create = NewStore{};  // kind kDevice
  auto opened = credstore::sqlite::open_store(path, *key, open);
  if (!opened) return tl::unexpected(opened.error().message);

  KeyStorage storage;
  storage.credentials = std::move(*opened);
  if (storage.credentials.vault != nullptr) {
    const auto& p = storage.credentials.vault->provider();
    storage.description = "synced vault " + path + " (provider \"" + p.name + "\")";
    if (!options.state.empty()) {
      const std::string state_path = resolve_store_path(options.state);
      auto state_key = key_source(options, state_path, !exists(state_path));
      if (!state_key) return tl::unexpected(state_key.error());
      OpenOptions state_open;
      state_open.create = NewStore{};
      auto state = credstore::sqlite::SqliteDeviceStore::open(state_path, *state_key, state_open);
      if (!state) return tl::unexpected(state.error().message);
      storage.state_store = std::move(*state);
      storage.description += ", device state in " + state_path;
    } else {
      storage.description += ", device state in memory (give --state to keep it)";
    }
  } else {
    if (!options.state.empty()) {
      return tl::unexpected(path + ": a device store keeps its own state; --state is for keys on a vault");
    }
    storage.description = std::string(new_store ? "new " : "") + "device store " + path;
  }
  if (key->created()) storage.description += "; made key file " + options.key_file;
  return storage;
}

tl::expected<credstore::sqlite::OpenedStore, std::string> open_existing_store(const StoreOptions& options) {
  const std::string path = resolve_store_path(options.store);
  if (path.empty()) return tl::unexpected(std::string("no --store given"));
  auto key = key_source(options, path, false);
  if (!key) return tl::unexpected(key.error());
  auto opened = credstore::sqlite::open_store(path, *key, OpenOptions{});
  if (!opened) return tl::unexpected(opened.error().message);
  return std::move(*opened);
}

}  // namespace vfido::host
