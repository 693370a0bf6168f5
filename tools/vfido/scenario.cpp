// `vfido scenario run FILE...`: runs passkey-policy scenarios (tools/scenario) against real
// vfido keys and prints each step with its outcome, the expected one and the reason; writes
// JUnit XML with --junit; --transport hybrid runs every ceremony over caBLE v2. Exit status: 0
// when every step came out as expected, 1 when one did not (or a scenario could not be set up),
// 2 when a file could not be read or is malformed (its error names file, line, column and
// field; the other files still run).
#include <cstdio>
#include <fstream>

#include "tools/scenario/scenario_runner.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/scenario_report.h"

namespace vfido::cli {

void print_step_line(const scenario::StepResult& r) {
  std::printf("  %s  %-52s expected %-16s got %s\n", r.passed ? "ok  " : "FAIL", r.name.c_str(), r.expected.c_str(), r.got.c_str());
  if (!r.reason.empty()) std::printf("        %s\n", r.reason.c_str());
  if (!r.passed) std::printf("        UNEXPECTED: %s (%s)\n", r.mismatch.c_str(), r.where.c_str());
  std::fflush(stdout);
}

bool write_junit(const std::string& path, const std::vector<scenario::ScenarioResult>& results) {
  std::ofstream out(path);
  out << scenario::junit_xml(results);
  out.close();
  if (!out) {
    std::fprintf(stderr, "vfido scenario: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

namespace {

struct ScenarioOptions {
  std::vector<std::string> files;
  std::string junit;
  std::string data_dir;
  std::string transport = "unix";
  bool verbose = false;
};

int run_files(const ScenarioOptions& o) {
  if (o.transport == "hybrid") {
    std::printf("vfido scenario: keys reached over hybrid (caBLE v2: a QR session per ceremony, an in-process tunnel server)\n");
  }
  std::vector<scenario::ScenarioResult> results;
  bool load_failed = false;
  for (const auto& file : o.files) {
    auto s = scenario::load_scenario_file(file);
    if (!s) {
      std::fprintf(stderr, "vfido scenario: %s\n", s.error().to_string().c_str());
      load_failed = true;
      scenario::ScenarioResult r;
      r.file = file;
      r.name = file;
      r.error = s.error().to_string();
      results.push_back(std::move(r));
      continue;
    }
    std::printf("scenario: %s (%s)\n", s->name.c_str(), file.c_str());
    scenario::RunOptions ro;
    ro.verbose_keys = o.verbose;
    ro.data_dir = o.data_dir;
    ro.transport = o.transport;
    ro.on_step = print_step_line;
    results.push_back(scenario::run_scenario(*s, ro));
    const auto& r = results.back();
    if (!r.error.empty()) std::printf("  ERROR: %s\n", r.error.c_str());
  }
  std::size_t steps = 0, failures = 0, errors = 0;
  for (const auto& r : results) {
    steps += r.steps.size();
    failures += r.failures();
    errors += r.error.empty() ? 0U : 1U;
  }
  std::printf("\n%zu scenario(s), %zu step(s): %zu unexpected, %zu scenario error(s)\n", results.size(), steps, failures, errors);
  bool ok = true;
  if (!o.junit.empty()) ok = write_junit(o.junit, results);
  if (load_failed) return 2;
  return ok && failures == 0 && errors == 0 ? 0 : 1;
}

}  // namespace

void add_scenario(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("scenario", "passkey-policy scenarios: real keys, client and RP emulators, Entra-style policy");
  cmd->require_subcommand(1);
  auto o = std::make_shared<ScenarioOptions>();
  auto* run = cmd->add_subcommand("run", "run scenario files and check every step's outcome");
  run->add_option("files", o->files, "scenario YAML files")->required()->check(CLI::ExistingFile);
  run->add_option("--junit", o->junit, "write JUnit XML here");
  run->add_option("--data-dir", o->data_dir, "where profiles' attestation CAs live (default: a temporary directory per run)");
  run->add_option("--transport", o->transport,
                  "how libfido2 reaches the keys: unix (a socket each) or hybrid (caBLE v2: each key a phone, "
                  "a QR session per ceremony through an in-process tunnel server)")
      ->check(CLI::IsMember({"unix", "hybrid"}))
      ->capture_default_str();
  run->add_flag("-v,--verbose", o->verbose, "log the keys' activity to stderr");
  run->callback([o, exit_code] { *exit_code = run_files(*o); });
}

}  // namespace vfido::cli
