#include "profiles/registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "profiles/builtin_data.h"

namespace vfido::profiles {
namespace {

namespace fs = std::filesystem;

bool looks_like_path(const std::string& s) {
  return s.find('/') != std::string::npos || (s.size() > 5 && s.compare(s.size() - 5, 5, ".json") == 0);
}

}  // namespace

const std::vector<Profile>& builtin() {
  static const std::vector<Profile> list = [] {
    std::vector<Profile> out;
    for (const auto& [file, text] : builtin_profile_files()) {
      auto p = parse_profile(text, "built-in " + std::string(file));
      // The built-ins are checked by the test suite; a broken one is a build defect.
      if (!p) throw std::logic_error(p.error());
      p->source = "built-in";
      out.push_back(std::move(*p));
    }
    std::stable_sort(out.begin(), out.end(), [](const Profile& a, const Profile& b) {
      if ((a.id == "vfido") != (b.id == "vfido")) return a.id == "vfido";
      return a.id < b.id;
    });
    return out;
  }();
  return list;
}

std::string user_directory() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/vfido/profiles";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.config/vfido/profiles";
}

tl::expected<Profile, std::string> load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected<std::string>(path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto p = parse_profile(text.str(), path);
  if (!p) return p;
  // PEM files named by the profile are relative to the profile's own directory.
  for (std::string* f : {&p->attestation_key_file, &p->attestation_chain_file}) {
    if (!f->empty() && (*f)[0] != '/') *f = (fs::path(path).parent_path() / *f).string();
  }
  return p;
}

std::vector<Profile> all(std::vector<std::string>* errors) {
  std::vector<Profile> out = builtin();
  std::error_code ec;
  const fs::path dir(user_directory());
  if (!fs::is_directory(dir, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto p = load_file(f.string());
    if (!p) {
      if (errors != nullptr) errors->push_back(p.error());
      continue;
    }
    std::erase_if(out, [&](const Profile& x) { return x.id == p->id; });
    out.push_back(std::move(*p));
  }
  return out;
}

tl::expected<Profile, std::string> resolve(const std::string& spec) {
  if (looks_like_path(spec)) return load_file(spec);
  std::vector<Profile> known = all();
  for (auto& p : known) {
    if (p.id == spec) return std::move(p);
  }
  std::string ids;
  for (const auto& p : known) ids += (ids.empty() ? "" : ", ") + p.id;
  return tl::unexpected<std::string>("unknown profile \"" + spec + "\"; known: " + ids);
}

}  // namespace vfido::profiles
