// `vfido profile list|show|validate`: the authenticator models (profiles/).
//
//   vfido profile list               id, kind, AAGUID and description of every known profile
//   vfido profile show ID|FILE       the complete profile as JSON (every member, defaults too)
//   vfido profile validate FILE...   checks files; exit 1 and one line per problem if any fails
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "profiles/registry.h"
#include "tools/vfido/commands.h"

namespace vfido::cli {
namespace {

int list_profiles() {
  std::vector<std::string> errors;
  auto profiles = profiles::all(&errors);
  std::size_t width = 2;
  for (const auto& p : profiles) width = std::max(width, p.id.size());
  for (const auto& p : profiles) {
    std::cout << p.id << std::string(width - p.id.size() + 2, ' ') << p.kind()
              << std::string(14 - p.kind().size(), ' ') << profiles::format_uuid(p.model.aaguid) << "  "
              << (p.source == "built-in" ? "" : "[" + p.source + "] ") << p.description << '\n';
  }
  for (const auto& e : errors) std::cerr << "vfido profile list: skipped " << e << '\n';
  return 0;
}

int show_profile(const std::string& spec) {
  auto p = profiles::resolve(spec);
  if (!p) {
    std::cerr << "vfido profile show: " << p.error() << '\n';
    return 1;
  }
  std::cout << profiles::to_json(*p).dump(2) << '\n';
  return 0;
}

int validate_profiles(const std::vector<std::string>& files) {
  int failures = 0;
  for (const auto& f : files) {
    auto p = profiles::load_file(f);
    if (p) {
      std::cout << f << ": ok (" << p->id << ", " << p->kind() << ", " << profiles::format_uuid(p->model.aaguid)
                << ")\n";
    } else {
      std::cerr << p.error() << '\n';
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_profile(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("profile", "List, show and validate authenticator models");
  cmd->require_subcommand(1);
  cmd->add_subcommand("list", "List the built-in and user profiles")->callback([exit_code] {
    *exit_code = list_profiles();
  });
  auto spec = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "Print a profile as complete JSON");
  show->add_option("profile", *spec, "Profile id or JSON file")->required();
  show->callback([spec, exit_code] { *exit_code = show_profile(*spec); });
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* validate = cmd->add_subcommand("validate", "Check profile files");
  validate->add_option("files", *files, "Profile JSON files")->required();
  validate->callback([files, exit_code] { *exit_code = validate_profiles(*files); });
}

}  // namespace vfido::cli
