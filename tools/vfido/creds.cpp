// `vfido creds`: the credentials in a store file.
//
//   vfido creds list   --store S (--passphrase-file F | --key-file F)
//   vfido creds show   --store S ... ID        the record as JSON, without secrets
//   vfido creds delete --store S ... ID
//   vfido creds set-backup-state --store S ... ID on|off     (vaults: WebAuthn §6.1.3 BS)
//   vfido creds export / import                (creds_export.cpp)
//
// ID is the credential ID in base64url as `list` prints it, or a unique prefix of it. A device
// store in use by a running key is locked: stop the key first. Vaults can be changed while
// keys use them. Exit status: 0 done, 1 failure, 2 usage.
#include <functional>
#include <iostream>
#include <memory>

#include "authenticator/base64.h"
#include "credstore/record_json.h"
#include "tools/host/store_options.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"

namespace vfido::cli {
namespace {

using credstore::sqlite::OpenedStore;

struct CredsOptions {
  host::StoreOptions store;
  std::string id;
  std::string state;  // set-backup-state: on|off
};

// Opens the store or prints why not.
std::optional<OpenedStore> open_or_complain(const CredsOptions& o, const char* cmd) {
  auto opened = host::open_existing_store(o.store);
  if (!opened) {
    std::cerr << "vfido creds " << cmd << ": " << opened.error() << '\n';
    return std::nullopt;
  }
  return std::move(*opened);
}

// The stored credential `arg` names: its exact base64url ID or a unique prefix of it.
std::optional<CredentialRecord> resolve(credstore::sqlite::SqliteStore& store, const std::string& arg, const char* cmd) {
  // A whole ID is looked up directly; only a prefix needs the list.
  if (auto id = vfido::base64url_decode(arg)) {
    auto exact = store.find_stored(*id);
    if (!exact) {
      std::cerr << "vfido creds " << cmd << ": " << store.last_error() << '\n';
      return std::nullopt;
    }
    if (*exact) return std::move(**exact);
  }
  auto all = store.list_stored();
  if (!all) {
    std::cerr << "vfido creds " << cmd << ": " << store.last_error() << '\n';
    return std::nullopt;
  }
  std::optional<CredentialRecord> hit;
  int matches = 0;
  for (auto& c : *all) {
    const std::string id = vfido::base64url_encode(c.id);
    if (arg.size() >= 4 && id.rfind(arg, 0) == 0) {
      ++matches;
      hit = std::move(c);
    }
  }
  if (matches == 1) return hit;
  std::cerr << "vfido creds " << cmd << ": "
            << (matches > 1 ? "several credentials start with " : "no stored credential ") << arg << " in "
            << store.path() << '\n';
  return std::nullopt;
}

std::string flag_text(const CredentialRecord& c) {
  std::string s = c.backup_eligible ? "BE" : "--";
  s += c.backup_state ? " BS" : " --";
  return s;
}

int run_list(const CredsOptions& o) {
  auto opened = open_or_complain(o, "list");
  if (!opened) return 1;
  auto& store = *opened->store;
  auto all = store.list_stored();
  if (!all) {
    std::cerr << "vfido creds list: " << store.last_error() << '\n';
    return 1;
  }
  std::cout << (opened->vault != nullptr ? "synced vault " : "device store ") << store.path() << ": " << all->size()
            << " stored credential" << (all->size() == 1 ? "" : "s") << '\n';
  if (opened->device != nullptr) {
    std::cout << "(non-discoverable credentials live in their IDs and are not stored, so not listed)\n";
  }
  for (const auto& c : *all) {
    std::cout << vfido::base64url_encode(c.id) << "  " << c.rp_id << "  "
              << (c.user.name ? *c.user.name : std::string("-")) << "  "
              << (c.discoverable ? "discoverable" : "server-side") << "  " << flag_text(c) << "  counter "
              << c.sign_count << "  alg " << c.alg << '\n';
  }
  return 0;
}

// Opens the store, finds the credential o.id names, and runs act(store, record) on it.
int on_credential(const CredsOptions& o, const char* cmd,
                  const std::function<int(credstore::sqlite::SqliteStore&, const CredentialRecord&)>& act) {
  auto opened = open_or_complain(o, cmd);
  if (!opened) return 1;
  auto rec = resolve(*opened->store, o.id, cmd);
  if (!rec) return 1;
  return act(*opened->store, *rec);
}

int run_show(const CredsOptions& o) {
  return on_credential(o, "show", [](credstore::sqlite::SqliteStore&, const CredentialRecord& rec) {
    std::cout << credstore::record_to_json(rec, false).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return 0;
  });
}

int run_delete(const CredsOptions& o) {
  return on_credential(o, "delete", [](credstore::sqlite::SqliteStore& store, const CredentialRecord& rec) {
    if (auto r = store.remove(rec.id); !r) {
      std::cerr << "vfido creds delete: " << store.last_error() << '\n';
      return 1;
    }
    std::cout << "deleted " << vfido::base64url_encode(rec.id) << " (" << rec.rp_id << ")\n";
    return 0;
  });
}

int run_set_backup_state(const CredsOptions& o) {
  const bool on = o.state == "on";
  return on_credential(o, "set-backup-state", [&](credstore::sqlite::SqliteStore& store, const CredentialRecord& rec) {
    if (on && !rec.backup_eligible) {
      std::cerr << "vfido creds set-backup-state: " << o.id
                << " is device-bound (BE=0); only backup-eligible credentials can be backed up\n";
      return 1;
    }
    if (auto r = store.set_backup_state(rec.id, on); !r) {
      std::cerr << "vfido creds set-backup-state: " << store.last_error() << '\n';
      return 1;
    }
    std::cout << vfido::base64url_encode(rec.id) << ": BS=" << (on ? 1 : 0) << '\n';
    return 0;
  });
}

CLI::App* sub(CLI::App* creds, const char* name, const char* about, std::shared_ptr<CredsOptions> o) {
  CLI::App* cmd = creds->add_subcommand(name, about);
  add_store_flags(cmd, o->store, static_cast<unsigned>(StoreFlag::kStore) | static_cast<unsigned>(StoreFlag::kKey),
                  true);
  return cmd;
}

}  // namespace

void add_creds(CLI::App& app, int* exit_code) {
  CLI::App* creds = app.add_subcommand("creds", "List, show, delete, export and import the credentials of a store");
  creds->require_subcommand(1);
  auto o = std::make_shared<CredsOptions>();

  sub(creds, "list", "List the stored credentials", o)->callback([o, exit_code] { *exit_code = run_list(*o); });
  auto* show = sub(creds, "show", "Show one credential as JSON (no secrets)", o);
  show->add_option("id", o->id, "Credential ID (base64url) or a unique prefix")->required();
  show->callback([o, exit_code] { *exit_code = run_show(*o); });
  auto* del = sub(creds, "delete", "Delete one credential (from every device, for a vault)", o);
  del->add_option("id", o->id, "Credential ID (base64url) or a unique prefix")->required();
  del->callback([o, exit_code] { *exit_code = run_delete(*o); });
  auto* bs = sub(creds, "set-backup-state", "Mark a vault credential backed up (BS=1) or not (BS=0)", o);
  bs->add_option("id", o->id, "Credential ID (base64url) or a unique prefix")->required();
  bs->add_option("state", o->state, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  bs->callback([o, exit_code] { *exit_code = run_set_backup_state(*o); });
  add_creds_transfer(creds, exit_code);
}

}  // namespace vfido::cli
